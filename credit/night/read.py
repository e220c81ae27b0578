"""Published nights as read: the latest night's run with its summary, and the rows a night held back."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit.night.records import NightSummary


class NightRun(TypedDict):
    """A published night: when it finished, under which configuration, and its summary."""

    night: date
    config_version: str
    finished_at: datetime
    summary: NightSummary


def latest_run(conn: Connection) -> NightRun | None:
    """The latest published night's run, or None before the first night."""
    row = conn.execute(sa.text("select night, config_version, finished_at, summary from night_runs "
                               "order by night desc limit 1")).mappings().first()
    if row is None:
        return None
    return {"night": row["night"], "config_version": row["config_version"], "finished_at": row["finished_at"],
            "summary": row["summary"]}


def published_at(conn: Connection, night: date) -> datetime | None:
    """When ``night`` was published (its run's end), None while it is not."""
    at: datetime | None = conn.execute(sa.text("select finished_at from night_runs where night = :n"),
                                       {"n": night}).scalar()
    return at


class QuarantinedRow(TypedDict):
    """A row a night held back: its file, its physical line, the rule it broke and why, as it came."""

    file: str
    line: int
    rule: str
    reason: str
    raw: object


def quarantined_rows(conn: Connection, night: date, source: str | None, limit: int) -> list[QuarantinedRow]:
    """The rows quarantined on ``night`` (of one source, or all), by file and line, at most ``limit``."""
    rows = conn.execute(sa.text(
        "select file, line, rule, reason, source, raw from quarantine where night = :n "
        "and (cast(:s as text) is null or source = :s) order by file, line limit :l"),
        {"n": night, "s": source, "l": limit}).mappings().all()
    return [{"file": r["file"], "line": r["line"], "rule": r["rule"], "reason": r["reason"],
             "raw": in_file_order(r["source"], r["raw"])} for r in rows]


def in_file_order(source: str | None, raw: object) -> object:
    """A held row's fields in its file's column order (contracts.md §1), as an officer reads the file;
    a field the contract does not name (an extra column) after them, as stored. ``raw`` is kept in
    ``jsonb``, which orders an object's keys its own way (shortest first), not the file's."""
    from credit.contract.sources import SOURCES

    if not isinstance(raw, dict) or source not in SOURCES:
        return raw
    order = {name: i for i, name in enumerate(SOURCES[source].column_names)}
    return dict(sorted(raw.items(), key=lambda kv: order.get(kv[0], len(order))))


def quarantine_count(conn: Connection, night: date, source: str | None) -> int:
    """How many rows ``night`` quarantined (of one source, or all): what a cut listing reports."""
    from credit import sqlfiles

    return int(conn.execute(sqlfiles.statement("night/quarantine_count"), {"n": night, "s": source}).scalar_one())
