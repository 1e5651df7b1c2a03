"""The README's demo-login table and the demo data must agree."""

import re
from pathlib import Path

from django.conf import settings

from huying.demo.logins import DEMO_LOGINS, DEMO_OPEN311_KEY, DEMO_PASSWORD


def test_readme_lists_every_demo_login_with_its_organisation():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]+ \| [^|]+ \| `([a-z]+)` \| ([^|]+) \|$", readme, flags=re.M)
    assert {login: org.strip() for login, org in rows} == {
        login.username: login.organisation or "—" for login in DEMO_LOGINS
    }
    assert f"`{DEMO_PASSWORD}`" in readme


def test_readme_shows_the_open311_demo_key():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    assert f"api_key: {DEMO_OPEN311_KEY}" in readme
