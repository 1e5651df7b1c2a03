"""Build the Guangdong demo dataset: the organisation tree, the 34 sectors, ~2,000 people and
Liwan district's work orders (routing rules, time limits, ~2,000 orders in every state;
:mod:`huying.demo.workorders`).

Deterministic (seeded ``random.Random``; every generated person draws from a generator seeded
with their own login name, so a person looks the same at any scale) and idempotent: every
step creates only what is missing, and a marker entry in the audit log lets a second run stop
after three cheap queries. The tree and sectors are built through the organisations actions;
people in bulk (one summary audit entry per role) with the demo password hashed once.
"""

from __future__ import annotations

import csv
import logging
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from huying.accounts.actions import do_assign_role, do_create_user
from huying.accounts.choices import MemberLevel, Role
from huying.accounts.models import RoleAssignment, User
from huying.audit.actions import record
from huying.audit.models import AuditEntry
from huying.demo import dataset as ds
from huying.demo.logins import DEMO_LOGINS, DEMO_MEMBER_COMMITTEE, DEMO_MEMBER_SECTOR, DEMO_PASSWORD
from huying.demo.progress import Progress
from huying.demo.workorders import load_work_orders
from huying.organisations.actions import do_create_organisation, do_create_sector
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation, Sector

DATA_DIR = Path(__file__).resolve().parent / "data"
DATASET_VERSION = "2"
SEED = 20260126
MARKER_ACTION = "demo.load"
MARKER_TYPE = "demo.dataset"
TERM = 13
BATCH = 500
ROOT_NAME = "广东省"


@dataclass(frozen=True)
class Scale:
    members: int
    national_members: int
    agency_staff: int
    unit_staff_per_department: int
    liwan_staff_per_department: int
    dispatchers: int
    handlers_per_street: int
    handlers_per_community: int
    admins: int
    public: int
    work_orders: int


SCALES: dict[str, Scale] = {
    "full": Scale(750, 36, 250, 2, 3, 8, 2, 1, 2, 300, 3000),
    "small": Scale(30, 3, 10, 0, 1, 2, 1, 0, 1, 10, 80),
}


@dataclass
class LoadResult:
    scale: str
    skipped: bool
    seconds: float
    created: Counter[str] = field(default_factory=Counter)
    steps: dict[str, float] = field(default_factory=dict)  # seconds each step took


# --- reading the division lists ---------------------------------------------------------------
def _rows(filename: str) -> list[dict[str, str]]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def cities() -> list[tuple[str, str]]:
    return [(row["code"], row["name"]) for row in _rows("guangdong_cities.csv")]


def districts() -> dict[str, str]:
    return {row["code"]: row["name"] for row in _rows("guangdong_areas.csv")}


def streets_of(area_code: str) -> list[tuple[str, str]]:
    return [(row["code"], row["name"]) for row in _rows("guangdong_streets.csv") if row["areaCode"] == area_code]


# --- the tree ------------------------------------------------------------------------------------
class TreeBuilder:
    """Creates nodes through :func:`do_create_organisation` unless they already exist."""

    def __init__(self) -> None:
        self.nodes = {(o.parent_id, o.name): o for o in Organisation.objects.all()}
        self.created = 0

    def ensure(
        self,
        parent: Organisation | None,
        name: str,
        kind: str,
        level: str,
        division_code: str = "",
        short_name: str = "",
        sort_order: int = 0,
    ) -> Organisation:
        key = (parent.pk if parent else None, name)
        node = self.nodes.get(key)
        if node is None:
            node = do_create_organisation(
                None,
                name=name,
                kind=kind,
                level=level,
                parent=parent,
                division_code=division_code,
                short_name=short_name,
                sort_order=sort_order,
            )
            self.nodes[key] = node
            self.created += 1
        return node


@dataclass
class Tree:
    root: Organisation
    province_cppcc: Organisation
    province_gov: Organisation
    committees: list[Organisation]
    offices: list[Organisation]
    departments: list[Organisation]  # provincial and Guangzhou departments
    liwan_gov: Organisation
    liwan_departments: list[Organisation]
    command_centre: Organisation
    streets: list[Organisation]
    communities: list[Organisation]
    by_name: dict[str, Organisation]


def community_names(streets: list[tuple[str, str]], rng: random.Random) -> dict[str, list[str]]:
    """3–6 plausible community names per street: the street's own name first (沙面社区), then
    stems drawn without replacement, so names are unique across the district."""
    stems = list(ds.COMMUNITY_STEMS)
    rng.shuffle(stems)
    own = {name.removesuffix("街道") for _code, name in streets}
    stems = [s for s in stems if s not in own]
    result: dict[str, list[str]] = {}
    low, high = ds.COMMUNITIES_PER_STREET
    for code, name in streets:
        count = rng.randint(low, high)
        names = [name.removesuffix("街道") + "社区"]
        while len(names) < count and stems:
            names.append(stems.pop() + "社区")
        result[code] = names
    return result


def build_tree(rng: random.Random) -> tuple[Tree, int]:
    b = TreeBuilder()
    root = b.ensure(None, ROOT_NAME, OrgKind.REGION, OrgLevel.PROVINCE, ds.PROVINCE_CODE)
    cppcc = b.ensure(root, "广东省政协", OrgKind.CPPCC, OrgLevel.PROVINCE, ds.PROVINCE_CODE, "省政协", 1)
    gov = b.ensure(root, "广东省人民政府", OrgKind.GOVERNMENT, OrgLevel.PROVINCE, ds.PROVINCE_CODE, "省政府", 2)

    offices = [
        b.ensure(cppcc, name, OrgKind.CPPCC_OFFICE, OrgLevel.PROVINCE, ds.PROVINCE_CODE, sort_order=i)
        for i, name in enumerate(ds.CPPCC_OFFICES, start=1)
    ]
    committees = [
        b.ensure(cppcc, name, OrgKind.SPECIAL_COMMITTEE, OrgLevel.PROVINCE, ds.PROVINCE_CODE, sort_order=10 + i)
        for i, (name, _weight) in enumerate(ds.SPECIAL_COMMITTEES, start=1)
    ]
    area_names = districts()
    city_cppccs = {
        code: b.ensure(cppcc, f"{name}政协", OrgKind.CPPCC, OrgLevel.CITY, code, sort_order=100 + i)
        for i, (code, name) in enumerate(cities())
    }
    for i, code in enumerate(ds.GUANGZHOU_DEMO_DISTRICTS):
        b.ensure(city_cppccs[ds.GUANGZHOU_CODE], f"{area_names[code]}政协", OrgKind.CPPCC, OrgLevel.COUNTY, code, "", i)

    departments = [
        b.ensure(gov, name, OrgKind.DEPARTMENT, OrgLevel.PROVINCE, ds.PROVINCE_CODE, sort_order=i)
        for i, name in enumerate(ds.PROVINCIAL_DEPARTMENTS, start=1)
    ]
    city_govs = {
        code: b.ensure(gov, f"{name}人民政府", OrgKind.GOVERNMENT, OrgLevel.CITY, code, sort_order=100 + i)
        for i, (code, name) in enumerate(cities())
    }
    guangzhou = city_govs[ds.GUANGZHOU_CODE]
    departments += [
        b.ensure(guangzhou, name, OrgKind.DEPARTMENT, OrgLevel.CITY, ds.GUANGZHOU_CODE, sort_order=i)
        for i, name in enumerate(ds.GUANGZHOU_BUREAUS, start=1)
    ]
    district_govs = {
        code: b.ensure(
            guangzhou, f"{area_names[code]}人民政府", OrgKind.GOVERNMENT, OrgLevel.COUNTY, code, sort_order=100 + i
        )
        for i, code in enumerate(ds.GUANGZHOU_DEMO_DISTRICTS)
    }
    liwan = district_govs[ds.LIWAN_CODE]
    liwan_departments = [
        b.ensure(liwan, name, OrgKind.DEPARTMENT, OrgLevel.COUNTY, ds.LIWAN_CODE, short, i)
        for i, (name, short) in enumerate(ds.LIWAN_DEPARTMENTS, start=1)
    ]
    centre = b.ensure(liwan, ds.LIWAN_COMMAND_CENTRE, OrgKind.COMMAND_CENTRE, OrgLevel.COUNTY, ds.LIWAN_CODE, "", 50)
    liwan_streets = streets_of(ds.LIWAN_CODE)
    names = community_names(liwan_streets, rng)
    streets: list[Organisation] = []
    communities: list[Organisation] = []
    for i, (code, name) in enumerate(liwan_streets):
        street = b.ensure(liwan, name, OrgKind.STREET, OrgLevel.STREET, code, sort_order=100 + i)
        streets.append(street)
        communities += [
            b.ensure(street, community, OrgKind.COMMUNITY, OrgLevel.COMMUNITY, sort_order=j)
            for j, community in enumerate(names[code], start=1)
        ]
    by_name = {o.name: o for o in b.nodes.values()}
    tree = Tree(
        root,
        cppcc,
        gov,
        committees,
        offices,
        departments,
        liwan,
        liwan_departments,
        centre,
        streets,
        communities,
        by_name,
    )
    return tree, b.created


def build_sectors() -> tuple[dict[str, Sector], int]:
    existing = {s.name: s for s in Sector.objects.all()}
    created = 0
    for i, (name, group, _weight) in enumerate(ds.SECTORS, start=1):
        if name not in existing:
            existing[name] = do_create_sector(None, name=name, group=group, sort_order=i)
            created += 1
    return existing, created


# --- people --------------------------------------------------------------------------------------
@dataclass
class RoleSpec:
    role: str
    organisation: Organisation | None
    title: str = ""
    sector: Sector | None = None
    special_committee: Organisation | None = None
    member_level: str = ""

    @property
    def term(self) -> int | None:
        return TERM if self.role == Role.MEMBER else None


@dataclass
class PersonSpec:
    username: str
    real_name: str
    mobile: str
    verified: bool
    role: RoleSpec


class People:
    """Generates people deterministically: names from surname/given-name lists, unique valid
    mobile numbers from a bijection of a serial number."""

    # fmt: off
    MOBILE_PREFIXES: tuple[str, ...] = (
        "130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
        "157", "158", "159", "176", "177", "180", "181", "182", "186", "187", "188", "189", "199",
    )
    # fmt: on

    def __init__(self) -> None:
        self.surnames = [s for s, _w in ds.SURNAMES]
        self.surname_weights = [w for _s, w in ds.SURNAMES]
        self.used_mobiles = {login.mobile for login in DEMO_LOGINS}

    def rng(self, username: str) -> random.Random:
        return random.Random(f"{SEED}:{username}")

    def name(self, rng: random.Random) -> str:
        surname = rng.choices(self.surnames, self.surname_weights)[0]
        given = "".join(rng.choice(ds.GIVEN_NAME_CHARS) for _ in range(1 if rng.random() < 0.3 else 2))
        return surname + given

    def mobile(self, rng: random.Random, serial: int) -> str:
        prefix = rng.choice(self.MOBILE_PREFIXES)
        while True:
            # 7919 is coprime to 10^8, so distinct serials give distinct suffixes.
            mobile = f"{prefix}{(serial * 7919 + 13572468) % 10**8:08d}"
            if mobile not in self.used_mobiles:
                self.used_mobiles.add(mobile)
                return mobile
            serial += 10**7

    def person(self, prefix: str, index: int, serial_base: int, role: RoleSpec, verified: bool = True) -> PersonSpec:
        username = f"{prefix}{index:04d}"
        rng = self.rng(username)
        return PersonSpec(username, self.name(rng), self.mobile(rng, serial_base + index), verified, role)


def generate_people(tree: Tree, sectors: dict[str, Sector], scale: Scale) -> list[PersonSpec]:
    people = People()
    result: list[PersonSpec] = []
    sector_list = [sectors[name] for name, _group, _w in ds.SECTORS]
    sector_weights = [w for _n, _g, w in ds.SECTORS]
    committee_weights = [w for _n, w in ds.SPECIAL_COMMITTEES]
    national = set(random.Random(SEED).sample(range(1, scale.members + 1), scale.national_members))

    for i in range(1, scale.members + 1):
        rng = people.rng(f"m{i:04d}:role")
        committee = None if rng.random() < 0.05 else rng.choices(tree.committees, committee_weights)[0]
        level = MemberLevel.NATIONAL if i in national else MemberLevel.PROVINCIAL
        spec = RoleSpec(
            Role.MEMBER,
            tree.province_cppcc,
            rng.choice(ds.MEMBER_TITLES),
            rng.choices(sector_list, sector_weights)[0],
            committee,
            level,
        )
        result.append(people.person("m", i, 100_000, spec))

    agency_units = tree.offices + tree.committees
    agency_weights = [35, 10] + [55 / len(tree.committees)] * len(tree.committees)
    for i in range(1, scale.agency_staff + 1):
        rng = people.rng(f"s{i:04d}:role")
        spec = RoleSpec(Role.AGENCY_STAFF, rng.choices(agency_units, agency_weights)[0], rng.choice(ds.AGENCY_TITLES))
        result.append(people.person("s", i, 200_000, spec))

    unit_slots = [d for d in tree.departments for _ in range(scale.unit_staff_per_department)]
    unit_slots += [d for d in tree.liwan_departments for _ in range(scale.liwan_staff_per_department)]
    for i, unit in enumerate(unit_slots, start=1):
        rng = people.rng(f"u{i:04d}:role")
        result.append(people.person("u", i, 300_000, RoleSpec(Role.UNIT_STAFF, unit, rng.choice(ds.UNIT_TITLES))))

    for i in range(1, scale.dispatchers + 1):
        title = ds.DISPATCHER_TITLES[1] if i == 1 else ds.DISPATCHER_TITLES[0]
        result.append(people.person("d", i, 400_000, RoleSpec(Role.DISPATCHER, tree.command_centre, title)))

    handler_slots = [(s, ds.STREET_TITLES) for s in tree.streets for _ in range(scale.handlers_per_street)]
    handler_slots += [(c, ds.COMMUNITY_TITLES) for c in tree.communities for _ in range(scale.handlers_per_community)]
    for i, (unit, titles) in enumerate(handler_slots, start=1):
        rng = people.rng(f"h{i:04d}:role")
        result.append(people.person("h", i, 500_000, RoleSpec(Role.STREET_HANDLER, unit, rng.choice(titles))))

    for i, (title, org_name) in enumerate(ds.LEADERS, start=1):
        result.append(people.person("l", i, 600_000, RoleSpec(Role.LEADER, tree.by_name[org_name], title)))

    for i in range(1, scale.admins + 1):
        result.append(people.person("a", i, 700_000, RoleSpec(Role.ADMIN, tree.root, "系统管理员")))

    for i in range(1, scale.public + 1):
        verified = people.rng(f"p{i:04d}:verified").random() < 0.6
        result.append(people.person("p", i, 800_000, RoleSpec(Role.PUBLIC, None), verified))
    return result


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk_create_people(specs: list[PersonSpec]) -> Counter[str]:
    """Create the people that do not exist yet and the role assignments they lack.

    Rows are written with ``bulk_create`` (one summary audit entry per role) and all share
    one hash of the demo password: hashing ~2,000 times with Argon2 would take minutes."""
    created: Counter[str] = Counter()
    usernames = [s.username for s in specs]
    existing: set[str] = set()
    for chunk in _chunks(usernames):
        existing.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))
    new = [s for s in specs if s.username not in existing]
    if new:
        taken: set[str] = set()
        for chunk in _chunks([s.mobile for s in new]):
            taken.update(User.objects.filter(mobile__in=chunk).values_list("mobile", flat=True))
        password = make_password(DEMO_PASSWORD)
        users = [
            User(
                username=s.username,
                real_name=s.real_name,
                mobile="" if s.mobile in taken else s.mobile,
                is_real_name_verified=s.verified,
                password=password,
            )
            for s in new
        ]
        User.objects.bulk_create(users, batch_size=BATCH)
        created["users"] += len(users)

    ids: dict[str, int] = {}
    for chunk in _chunks(usernames):
        ids.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
    held: set[tuple[int, str, int | None]] = set()
    for chunk in _chunks(list(ids.values())):
        held.update(
            RoleAssignment.objects.filter(user_id__in=chunk, is_active=True).values_list(
                "user_id", "role", "organisation_id"
            )
        )
    assignments = []
    for s in specs:
        r = s.role
        key = (ids[s.username], r.role, r.organisation.pk if r.organisation else None)
        if key in held:
            continue
        held.add(key)
        assignments.append(
            RoleAssignment(
                user_id=ids[s.username],
                role=r.role,
                organisation=r.organisation,
                title=r.title,
                term=r.term,
                sector=r.sector,
                special_committee=r.special_committee,
                member_level=r.member_level,
            )
        )
        created[r.role] += 1
    RoleAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    for role, count in sorted(created.items()):
        if role != "users":
            record(
                None,
                "demo.people.create",
                None,
                {"role": role, "count": count},
                object_type="accounts.user",
                object_repr=f"demo people: {count} × {role}",
            )
    return created


def create_demo_logins(tree: Tree, sectors: dict[str, Sector]) -> int:
    """The memorable logins, one per role, created one by one through the accounts actions
    (with their own password hash)."""
    created = 0
    existing = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_LOGINS])}
    for login in DEMO_LOGINS:
        user = existing.get(login.username)
        if user is None:
            mobile = "" if User.objects.filter(mobile=login.mobile).exists() else login.mobile
            user = do_create_user(
                None,
                username=login.username,
                real_name=login.real_name,
                password=DEMO_PASSWORD,
                mobile=mobile,
                is_real_name_verified=True,
            )
            created += 1
        organisation = tree.by_name[login.organisation] if login.organisation else None
        if RoleAssignment.objects.filter(
            user=user, role=login.role, organisation=organisation, is_active=True
        ).exists():
            continue
        extra: dict[str, Any] = {}
        if login.role == Role.MEMBER:
            extra = {
                "term": TERM,
                "sector": sectors[DEMO_MEMBER_SECTOR],
                "special_committee": tree.by_name[DEMO_MEMBER_COMMITTEE],
                "member_level": MemberLevel.PROVINCIAL,
            }
        do_assign_role(None, user, login.role, organisation, title=login.title, **extra)
    return created


# --- entry points --------------------------------------------------------------------------------
def _marker_id(scale: str, orders: int | None = None) -> str:
    return f"{DATASET_VERSION}:{scale}" if orders is None else f"{DATASET_VERSION}:{scale}:{orders}"


def is_loaded(scale: str, orders: int | None = None) -> bool:
    """Cheap check (three small queries): the marker of this version and scale is in the
    audit log, and the demo logins and the root of the tree are still there."""
    from huying.demo.proposals import is_loaded as proposals_loaded

    return (
        AuditEntry.objects.filter(
            action=MARKER_ACTION, object_type=MARKER_TYPE, object_id=_marker_id(scale, orders)
        ).exists()
        and proposals_loaded(scale)
        and User.objects.filter(username__in=[d.username for d in DEMO_LOGINS]).count() == len(DEMO_LOGINS)
        and Organisation.objects.filter(parent__isnull=True, name=ROOT_NAME).exists()
    )


def load_core(scale: str = "full") -> LoadResult:
    """The minimal core the pages need to log in and find their way: the organisation tree,
    the sectors, the demo logins and the generated people (one transaction, a few seconds).
    ``make run`` loads it before serving and the rest in the background
    (``demo_data --background``); :func:`load_demo_data` finds it there and goes on."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    started = time.monotonic()
    result = LoadResult(scale, skipped=False, seconds=0)
    with transaction.atomic():
        _load_core(result, SCALES[scale])
    result.seconds = time.monotonic() - started
    return result


def _load_core(result: LoadResult, scale: Scale) -> tuple[Tree, dict[str, Sector]]:
    rng = random.Random(SEED)
    tree, result.created["organisations"] = build_tree(rng)
    sectors, result.created["sectors"] = build_sectors()
    result.created["demo logins"] = create_demo_logins(tree, sectors)
    result.created.update(bulk_create_people(generate_people(tree, sectors, scale)))
    return tree, sectors


def load_demo_data(
    scale: str = "full", force: bool = False, orders: int | None = None, progress: Progress | None = None
) -> LoadResult:
    """Load the dataset at ``scale`` unless it is already there (``force`` checks every
    piece anyway). Safe on a partly loaded database: only missing rows are created.
    ``orders`` overrides the scale's number of work orders; ``progress`` hears of each step.

    Each module commits on its own (the work orders in chunks), so that pages served while
    a background load runs wait for the database's write lock for a moment at most."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    if orders is not None and orders < 0:
        raise ValueError("The number of work orders cannot be negative.")
    started = time.monotonic()
    if not force and is_loaded(scale, orders):
        return LoadResult(scale, skipped=True, seconds=time.monotonic() - started)
    progress = progress or Progress()
    result = LoadResult(scale, skipped=False, seconds=0)
    clock, current = time.monotonic(), "core"

    def step(key: str) -> None:
        """The step ``current`` is over, ``key`` begins."""
        nonlocal clock, current
        now = time.monotonic()
        result.steps[current] = now - clock
        clock, current = now, key
        if key != "done":
            progress.step(key)

    progress.step("core")
    with transaction.atomic():
        _load_core(result, SCALES[scale])
    step("proposals")
    with transaction.atomic():
        # The current session's proposals (huying/demo/proposals.py), then the handling of
        # the filed ones through the engine (huying/demo/proposal_handling.py; proposals
        # already assigned are left alone, so a second run changes nothing). One
        # transaction: the handling is drawn only right after the proposals were made.
        from huying.demo.proposal_handling import handle_demo_proposals
        from huying.demo.proposals import filed_demo_proposals, load_proposal_demo

        made = load_proposal_demo(scale, force=force).created
        result.created.update(made)
        units = list(
            Organisation.objects.filter(kind=OrgKind.DEPARTMENT, name__startswith="广东省", is_active=True).order_by(
                "path"
            )
        )
        # Only right after the proposals were made: a rerun would give the proposals the
        # first run left unassigned another draw.
        if len(units) >= 2 and any(made.values()):
            quiet = logging.getLogger("huying.proposals.transitions")
            level = quiet.level
            quiet.setLevel(logging.WARNING)  # one log line per notification: hundreds
            try:
                handled = handle_demo_proposals(filed_demo_proposals(), units, random.Random(SEED + 4), timezone.now())
            finally:
                quiet.setLevel(level)
            result.created["proposals handled"] = sum(n for outcome, n in handled.items() if outcome != "unassigned")
    step("opinions")
    # 社情民意 opinion reports, issues and instructions (huying/demo/opinions.py).
    from huying.demo.opinions import load_opinion_demo

    with transaction.atomic():
        result.created.update({f"opinions: {k}": v for k, v in load_opinion_demo(scale).items()})
    step("activities")
    # A year of duty activities through the real actions (huying/demo/activities.py).
    from huying.demo.activities import load_activity_demo

    with transaction.atomic():
        result.created.update(load_activity_demo(SEED + 10).created)
    step("consultations")
    # Remote consultations: two past, one live today (huying/demo/consultations.py).
    from huying.demo.consultations import load_consultation_demo

    with transaction.atomic():
        result.created.update(load_consultation_demo())
    step("duty")
    # The members' duty record follows from the acts above (huying/demo/duty.py).
    from huying.demo.duty import load_duty_demo

    with transaction.atomic():
        result.created.update(load_duty_demo())
    step("interaction")
    # 互动 and moderation: suggestions (some adopted), debates, the queue (huying/demo/interaction.py).
    from huying.demo.interaction import load_interaction_demo

    result.created.update(load_interaction_demo(scale, SEED))
    step("groups")
    # 议政群: three discussion groups, speeches, suggestions, drafts (huying/demo/groups.py).
    from huying.demo.groups import load_groups_demo

    result.created.update(load_groups_demo(scale, SEED))
    step("reception")
    # 委员会客室: past sessions with Q&A, one live, one upcoming (huying/demo/reception.py).
    from huying.demo.reception import load_reception_demo

    result.created.update(load_reception_demo(scale, SEED))
    step("workorders")
    # Work orders commit in chunks (a long load that stops half-way is completed next time).
    count = SCALES[scale].work_orders if orders is None else orders
    result.created.update(
        load_work_orders(count, SEED, on_chunk=lambda fraction: progress.step("workorders", fraction))
    )
    step("insight")
    # Hot topics: three planted clusters, then one refresh of the stored topics (huying/demo/insight.py).
    from huying.demo.insight import load_insight_demo

    result.created.update(load_insight_demo())
    step("columns")
    # 一委一品 and 专题专栏 gather what was made above (huying/demo/columns.py).
    from huying.demo.columns import load_columns_demo

    result.created.update(load_columns_demo(scale, SEED))
    step("reports")
    # Monthly analysis reports of the data above, last month and this month to date (huying/demo/reports.py).
    from huying.demo.reports import load_report_demo

    result.created.update(load_report_demo())
    step("done")
    record(
        None,
        MARKER_ACTION,
        None,
        {"version": DATASET_VERSION, "scale": scale, **{k: v for k, v in result.created.items() if v}},
        object_type=MARKER_TYPE,
        object_id=_marker_id(scale, orders),
        object_repr=f"Guangdong demo dataset v{DATASET_VERSION} ({scale})",
    )
    result.seconds = time.monotonic() - started
    return result


def describe(result: LoadResult) -> Iterable[str]:
    for key, value in sorted(result.created.items()):
        if value:
            yield f"{key}: {value}"
