"""Retention of operational data: months of night-partitioned tables past their period (issue 11).

What is kept for how long is written in ``config/retention.yaml`` (versioned) and explained table
by table in ``docs/storage.md``. Only operational tables partitioned by night month (migration
0026: the quarantine) have a period; legal records (the decision log and its anchors, notices,
publicity windows, applications, grades, draws, the store's history: domain.md §3–§8) have none
and are never deleted. The database function that drops a month,
``credit_drop_night_partition``, refuses every table it does not name, so a wrong
configuration cannot reach a legal record either.

:func:`plan` lists every month of those tables with what retention does with it (a dry run);
:func:`apply` drops the months :func:`plan` marks ``drop``. The period counts back from the last
published night, not from the clock: a store restored from a backup, or a night delayed, never
loses more than it would have on time.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, TypedDict

from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.config import load_config
from credit.settings import Settings

BOUND = re.compile(r"FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)")


class RetentionError(ValueError):
    """The retention configuration cannot be followed (a clear message, never a traceback)."""


@dataclass(frozen=True)
class Rule:
    table: str
    keep_months: int


class MonthAction(TypedDict):
    table: str
    partition: str
    start: date | None       # None: the default partition
    end: date | None
    rows: int                # the planner's estimate
    bytes: int
    action: Literal["keep", "drop"]
    reason: str


def rules(settings: Settings) -> tuple[str, list[Rule]]:
    """The configured periods (``retention.yaml``) and its version; none when the file is missing."""
    if not (Path(settings.config_dir) / "retention.yaml").is_file():
        return "none", []
    doc = load_config("retention", settings)
    out: list[Rule] = []
    for table, spec in (doc.get("partitioned") or {}).items():
        months = spec.get("keep_months") if isinstance(spec, dict) else None
        if not isinstance(months, int) or isinstance(months, bool) or months < 1:
            raise RetentionError(f"retention.yaml: partitioned.{table}.keep_months must be a whole number of "
                                 f"months ≥ 1, not {months!r}")
        out.append(Rule(str(table), months))
    return doc.version, out


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (that month's last day when it is shorter)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def plan(conn: Connection, settings: Settings) -> list[MonthAction]:
    """Every month of every configured table, with ``drop`` when it ended before the last published
    night minus the table's period and holds nothing that must stay; ``keep`` and why otherwise."""
    _, configured = rules(settings)
    last = conn.execute(sqlfiles.statement("storage/last_night")).scalar()
    out: list[MonthAction] = []
    for rule in configured:
        parts = conn.execute(sqlfiles.statement("storage/night_partitions"), {"t": rule.table}).mappings().all()
        if not parts:
            raise RetentionError(f"retention.yaml names {rule.table}, which is not partitioned by night "
                                 "(migration 0026): only such tables have a retention period")
        cutoff = months_before(last, rule.keep_months) if last is not None else None
        for p in parts:
            m = BOUND.search(str(p["bound"]))
            start, end = (date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))) if m else (None, None)
            action: MonthAction = {"table": rule.table, "partition": str(p["partition"]), "start": start,
                                   "end": end, "rows": int(p["rows_estimate"]), "bytes": int(p["bytes"]),
                                   "action": "keep", "reason": ""}
            if start is None or end is None:
                action["reason"] = "default partition (rows of months without their own partition)"
            elif cutoff is None:
                action["reason"] = "no night published yet"
            elif end > cutoff:
                action["reason"] = f"within {rule.keep_months} months of the last night {last}"
            else:
                held = _held(conn, rule.table, start, end)
                if held:
                    action["reason"] = (f"{held} annual-report rows still hold back a decision "
                                        "(domain.md §3.1, §3.2)")
                else:
                    action["action"] = "drop"
                    action["reason"] = f"ended before {cutoff} ({rule.keep_months} months before {last})"
            out.append(action)
    return out


def _held(conn: Connection, table: str, start: date, end: date) -> int:
    if table != "quarantine":
        return 0
    return int(conn.execute(sqlfiles.statement("storage/quarantine_holding"), {"lo": start, "hi": end}).scalar_one())


def apply(conn: Connection, actions: list[MonthAction]) -> list[str]:
    """Drop the months marked ``drop`` (in the caller's transaction); what was dropped."""
    dropped = []
    for a in actions:
        if a["action"] == "drop":
            dropped.append(str(conn.execute(sqlfiles.statement("storage/drop_night_partition"),
                                            {"p": a["partition"]}).scalar_one()))
    return dropped


def ensure_ahead(conn: Connection, night: date) -> int:
    """Make the partitions of ``night``'s month and the two after it (every night-partitioned table);
    the night's publish does it by itself (a trigger on ``night_runs``). Returns how many were made."""
    return int(conn.execute(sqlfiles.statement("storage/partitions_ahead"), {"night": night}).scalar_one())

