"""The demo logins: one per role, the single source for the demo loader, README and tests.

The password is for the demo dataset only: never load the demo data into a deployment that
real people use.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from huying.accounts.choices import Role

DEMO_PASSWORD = "huying2026"  # noqa: S105 - published demo-only password
# The Open311 demo client's key: an API token of the demo dispatcher, fixed so that the
# README can show it. Demo data only, like the password.
DEMO_OPEN311_KEY = "hy_demo-open311-liwan-2026-not-a-secret"
DEMO_OPEN311_CLIENT = "diaodu"


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    real_name: str
    # Name of the organisation the role is held in (unique in the demo tree); None for the public.
    organisation: str | None
    title: str = ""
    mobile: str = ""

    @property
    def password(self) -> str:
        return DEMO_PASSWORD


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(Role.MEMBER, "weiyuan", "林志华", "广东省政协", "", "13800440001"),
    DemoLogin(Role.AGENCY_STAFF, "jiguan", "陈静", "广东省政协", "提案委员会办公室一级主任科员", "13800440002"),
    # The 信息 office (社情民意): agency staff at the province CPPCC's general office (docs/opinions.md).
    DemoLogin(Role.AGENCY_STAFF, "xinxi", "吴晓琳", "办公厅", "办公厅信息处干部", "13800440009"),
    DemoLogin(Role.UNIT_STAFF, "chengban", "黄建国", "荔湾区城市管理和综合执法局", "办公室科长", "13800440003"),
    DemoLogin(Role.DISPATCHER, "diaodu", "李敏", "荔湾区指挥中心", "值班调度员", "13800440004"),
    DemoLogin(Role.STREET_HANDLER, "jiedao", "梁晓峰", "沙面街道", "街道办事处干部", "13800440005"),
    DemoLogin(Role.LEADER, "lingdao", "张明远", "荔湾区人民政府", "区委副书记、区长", "13800440006"),
    DemoLogin(Role.ADMIN, "admin", "系统管理员", "广东省", "", "13800440007"),
    DemoLogin(Role.PUBLIC, "qunzhong", "刘芳", None, "", "13800440008"),
)

# The demo member's sector and special committee.
DEMO_MEMBER_SECTOR = "中国民主同盟"
DEMO_MEMBER_COMMITTEE = "提案委员会"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_demo_logins(logins: tuple[DemoLogin, ...] = DEMO_LOGINS) -> str:
    """A plain-text table (role, login, password, organisation), aligned for CJK text."""
    header = [_("Role"), _("Login"), _("Password"), _("Organisation")]
    rows = [[str(login.role.label), login.username, login.password, login.organisation or "—"] for login in logins]
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_demo_logins(out: Any) -> None:
    """Write the table to ``out`` (a file, ``sys.stdout`` or a command's ``self.stdout``)."""
    out.write(_("Demo logins (demo data only, never use these passwords in production):") + "\n")
    out.write(format_demo_logins() + "\n")
    out.write(_("Open311 demo client (%(user)s):") % {"user": DEMO_OPEN311_CLIENT} + f" api_key: {DEMO_OPEN311_KEY}\n")
