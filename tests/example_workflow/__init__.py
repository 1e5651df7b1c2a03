"""The plug-in guide's example as a real workflow: expert-opinion requests (专家意见征询).

The think tank's office asks an expert group (a unit) for an opinion; the group accepts,
may ask for more time, answers; the office closes it or sends it back. Everything but the
case and its status is the handling engine's: assignments, deadlines, the sweep, the case
history, notifications, metrics, the shared inbox and the assignments API. It lives in the
test suite only (installed by ``tests/settings.py``) and proves that a workflow joins the
engine without touching it (docs/handling-engine.md, "Plugging a workflow in").
"""
