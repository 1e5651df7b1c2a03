"""Helpers shared by the browser tests: browser contexts, logging in, axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

from huying.accounts.models import User
from huying.accounts.tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": DESKTOP},
}


def new_context(browser: Browser, viewport: str, **extra: Any) -> BrowserContext:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **VIEWPORTS[viewport], **extra)
    context.set_default_timeout(10_000)
    return context


def open_page(browser: Browser, viewport: str, **extra: Any) -> Iterator[Page]:
    """A page in a fresh context; fails on a script error or a content-security-policy violation."""
    context = new_context(browser, viewport, **extra)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield page
    context.close()
    assert not problems, "The page broke in the browser:\n" + "\n".join(problems)


def log_in(page: Page, base_url: str, user: User, password: str = PASSWORD) -> None:
    """Log in through the real login form."""
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("main form:has(input[name=password])")
    form.locator("input[name=username]").fill(user.username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").click()


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page; return the violations of impact serious or critical.

    The page's context must bypass the CSP: axe is injected as an inline script."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


def describe_violations(where: str, violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)
