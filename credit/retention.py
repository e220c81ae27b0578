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

:func:`run` is the step ``credit retention [--apply]`` and the DAG ``credit_retention`` both take,
in one transaction; :func:`scheduled_apply` reads whether the scheduled run drops or only lists
(``scheduled:`` in ``retention.yaml``, a dry run unless the bureau writes ``apply``). Dropping a
month is the owner's privilege (the function is granted to no role): a run asked to drop as
another role is refused before anything is planned, not only on the day a month falls due.
A run that drops waits for a table's lock at most ``lock_timeout_seconds`` (``retention.yaml``,
:data:`LOCK_TIMEOUT_SECONDS` by default): a night's publishing transaction holds the quarantine
for as long as it runs, and a drop waiting behind it would queue every reader of the table behind
itself. It then gives up (:class:`RetentionBusy`), nothing dropped; the next run retries.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, TypedDict

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.config import load_config
from credit.settings import Settings

BOUND = re.compile(r"FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)")
#: What the scheduled run does (``scheduled:`` in retention.yaml); the first is the default.
SCHEDULED = ("dry_run", "apply")
#: How long a run that drops waits for a table's lock when retention.yaml does not say (seconds).
LOCK_TIMEOUT_SECONDS = 30


class RetentionError(ValueError):
    """The retention configuration cannot be followed (a clear message, never a traceback)."""


class RetentionBusy(RetentionError):
    """A month's table stayed locked by another transaction past the lock timeout: nothing was
    dropped, and a later run may succeed (the DAG's task is retried; the CLI says so)."""


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


@dataclass(frozen=True)
class Outcome:
    """One retention run: the configuration's version, whether it dropped, every month's action
    and what was dropped."""

    config_version: str
    applied: bool
    months: list[MonthAction]
    dropped: list[str]


def rules(settings: Settings) -> tuple[str, list[Rule]]:
    """The configured periods (``retention.yaml``) and its version; none when the file is missing."""
    if not (Path(settings.config_dir) / "retention.yaml").is_file():
        return "none", []
    doc = load_config("retention", settings)
    out: list[Rule] = []
    for table, spec in (doc.get("partitioned") or {}).items():
        months = spec.get("keep_months") if isinstance(spec, dict) else None
        if not isinstance(months, int) or isinstance(months, bool) or months < 1:
            raise RetentionError(f"retention.yaml: partitioned.{table}.keep_months 须为不小于 1 的整月数，而非 {months!r} "
                                 f"(partitioned.{table}.keep_months must be a whole number of months ≥ 1, not {months!r})")
        out.append(Rule(str(table), months))
    return doc.version, out


def scheduled_apply(settings: Settings) -> bool:
    """Whether the scheduled run (DAG ``credit_retention``) drops the months due: ``scheduled: apply``
    in ``retention.yaml``; ``dry_run``, no key or no file: it only lists them."""
    if not (Path(settings.config_dir) / "retention.yaml").is_file():
        return False
    mode = load_config("retention", settings).get("scheduled") or "dry_run"
    if mode not in SCHEDULED:
        raise RetentionError(f"retention.yaml: scheduled 须为 dry_run 或 apply (scheduled must be dry_run or apply, "
                             f"not {mode!r})")
    return bool(mode == "apply")


def lock_timeout(settings: Settings) -> float:
    """How long a run that drops waits for a table's lock, in seconds: ``lock_timeout_seconds`` in
    ``retention.yaml``; :data:`LOCK_TIMEOUT_SECONDS` without the key or the file."""
    if not (Path(settings.config_dir) / "retention.yaml").is_file():
        return LOCK_TIMEOUT_SECONDS
    seconds = load_config("retention", settings).get("lock_timeout_seconds", LOCK_TIMEOUT_SECONDS)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= 3600:
        raise RetentionError(f"retention.yaml: lock_timeout_seconds 须为 0 到 3600 之间的秒数 (lock_timeout_seconds "
                             f"must be a number of seconds above 0 and at most 3600, not {seconds!r})")
    return float(seconds)


def run(conn: Connection, settings: Settings, apply_: bool) -> Outcome:
    """Plan every configured month and, with ``apply_``, drop those due (in the caller's
    transaction): ``credit retention [--apply]`` and the DAG ``credit_retention``. Dropping waits
    for a table's lock at most :func:`lock_timeout`, then raises :class:`RetentionBusy` (the
    caller's transaction is then to be rolled back: nothing dropped)."""
    version, _ = rules(settings)
    if apply_ and not conn.execute(sqlfiles.statement("storage/may_drop_partitions")).scalar_one():
        raise RetentionError("删除过期月份须以数据表所有者的身份连接数据库，未删除任何数据 (dropping months needs the "
                             "tables' owner; this connection's role may not, nothing dropped): connect as the owner "
                             "(docs/storage.md \"Retention\"), or leave the scheduled run a dry run")
    if not apply_:
        return Outcome(version, False, plan(conn, settings), [])
    timeout = lock_timeout(settings)
    actions = plan(conn, settings)
    conn.execute(sqlfiles.statement("storage/retention_lock_timeout"), {"timeout": f"{round(timeout * 1000)}ms"})
    try:
        dropped = apply(conn, actions)
    except sa.exc.OperationalError as e:
        if not isinstance(e.orig, psycopg.errors.LockNotAvailable):
            raise
        raise RetentionBusy(
            f"过期月份的数据表被另一事务（如正在发布的夜间任务）占用，等待 {timeout:g} 秒仍未取得表锁，已放弃，未删除任何数据；"
            f"下次运行将重试 (a table of the months due stayed locked by another transaction, such as a night being "
            f"published, for {timeout:g} s (lock_timeout_seconds in retention.yaml): gave up, nothing dropped; the next "
            "run retries)") from None
    return Outcome(version, True, actions, dropped)


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
            raise RetentionError(f"retention.yaml 列出的 {rule.table} 不是按批次分区的表，只有这样的表才有保存期限 "
                                 f"(retention.yaml names {rule.table}, which is not partitioned by night "
                                 "(migration 0026): only such tables have a retention period)")
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

