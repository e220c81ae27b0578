"""The night's 双告知 step: tonight's registration events written as notices, once each (domain.md §11).

Runs inside the night's publishing transaction, after the store merge (it reads tonight's rows of
``registration_history``). The unique ``(department, event_key)`` of ``notices`` makes the step
idempotent: running it again for the same night inserts nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlalchemy import Connection

from credit import clock, sqlfiles
from credit.config import load_config
from credit.context import NightContext
from credit.notices.rules import rules_of


class NoticesNightSummary(TypedDict):
    """What :func:`produce_notices` reports; stored in ``night_runs.summary["notices"]``."""

    produced: int
    by_department: dict[str, int]
    by_event: dict[str, int]
    config_version: str


def produce_notices(conn: Connection, ctx: NightContext, *, now: datetime | None = None) -> NoticesNightSummary:
    """Write tonight's notices; returns how many were new, per department and per event."""
    config = load_config("notices", ctx.settings)
    rules = rules_of(config)
    departments, licences, prefixes = rules.arrays()
    zone = clock.zone(ctx.settings)   # the bureau's clock (credit.clock)
    produced_at = (now or clock.now(ctx.settings)).astimezone(zone)
    rows = conn.execute(sqlfiles.statement("notices/produce"), {
        "night": ctx.night, "window_days": rules.new_registration_days,
        "departments": departments, "licences": licences, "prefixes": prefixes,
        "produced_at": produced_at, "config_version": config.version,
    }).all()
    by_department: dict[str, int] = {}
    by_event: dict[str, int] = {}
    for department, event in rows:
        by_department[department] = by_department.get(department, 0) + 1
        by_event[event] = by_event.get(event, 0) + 1
    return {"produced": len(rows), "by_department": dict(sorted(by_department.items())),
            "by_event": dict(sorted(by_event.items())), "config_version": config.version}
