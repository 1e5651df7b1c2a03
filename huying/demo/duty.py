"""The demo's duty record (我的履职): nothing is written into the ledger here. The demo's
proposals (and the opinion reports and activities of their own demo modules) record their
members' acts through ``huying.duty.acts.record`` as the demo runs the real actions; this
step only runs the modules' registered backfills (``manage.py duty_rebuild``), so a demo
database loaded before the duty record existed gets its entries too, and recomputes the
points from the rules table (seeded by the duty app's migration). Idempotent."""

from __future__ import annotations

from huying.duty.rebuild import rebuild


def load_duty_demo() -> dict[str, int]:
    counts = rebuild()
    return {"duty record entries": counts["entries"]}
