"""Notices as read: one night's per department, and the bureau's feed after a cursor."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, RowMapping

from credit import sqlfiles
from credit.night.read import published_at
from credit.notices.rules import NoticeRules

EVENT_LABELS = {"registered": "新设登记", "industry_changed": "变更为许可行业"}


class Notice(TypedDict):
    """One notice to a licensing department, as officers and the feed see it."""

    id: int
    night: str
    produced_at: str                  # ISO with the bureau's offset
    department: str
    licence: str
    event: str
    event_label: str
    uscc: str
    name: str
    entity_kind: str
    region_code: str
    industry_code: str
    previous_industry_code: str | None
    established_on: str
    address: str | None
    matched: str
    config_version: str


def _notice(r: RowMapping, zone: ZoneInfo | None) -> Notice:
    produced: datetime = r["produced_at"]
    return {"id": int(r["id"]), "night": r["night"].isoformat(),
            "produced_at": (produced.astimezone(zone) if zone else produced).isoformat(),
            "department": r["department"], "licence": r["licence"], "event": r["event"],
            "event_label": EVENT_LABELS.get(r["event"], r["event"]), "uscc": r["uscc"], "name": r["name"],
            "entity_kind": r["entity_kind"], "region_code": r["region_code"], "industry_code": r["industry_code"],
            "previous_industry_code": r["previous_industry_code"], "established_on": r["established_on"].isoformat(),
            "address": r["address"], "matched": r["matched"], "config_version": r["config_version"]}


def notices_of_night(conn: Connection, night: date, department: str | None = None,
                     zone: ZoneInfo | None = None) -> list[Notice]:
    """The notices night ``night`` produced (one department's, when named), by department then id."""
    rows = conn.execute(sqlfiles.statement("notices/listing"), {"night": night, "department": department})
    return [_notice(r, zone) for r in rows.mappings()]


def notice_feed(conn: Connection, after: int, limit: int, department: str | None = None,
                zone: ZoneInfo | None = None) -> list[Notice]:
    """Notices with an id above the cursor ``after``, in production order, at most ``limit``."""
    rows = conn.execute(sqlfiles.statement("notices/feed"), {"after": after, "n": limit, "department": department})
    return [_notice(r, zone) for r in rows.mappings()]


def notices_of_entity(conn: Connection, uscc: str, through: date, zone: ZoneInfo | None = None) -> list[Notice]:
    """The notices ``uscc``'s registration events produced on nights up to ``through``, in production
    order (one index probe, migration 0051)."""
    rows = conn.execute(sqlfiles.statement("notices/of_entity"), {"uscc": uscc, "through": through})
    return [_notice(r, zone) for r in rows.mappings()]


def last_notice_id(conn: Connection) -> int:
    """The id of the last notice produced (0 before any): the feed's cursor never passes it."""
    return int(conn.execute(sqlfiles.statement("notices/last_id")).scalar_one())


def night_published(conn: Connection, night: date) -> bool:
    """Whether ``night`` is published: only then are its notices all there (they are produced in
    its publishing transaction)."""
    return published_at(conn, night) is not None


def department_known(conn: Connection, department: str) -> bool:
    """Whether any notice was ever produced for ``department`` (also one a former configuration named)."""
    return bool(conn.execute(sqlfiles.statement("notices/department_known"), {"department": department}).scalar())


def unknown_department(conn: Connection, rules: NoticeRules, department: str) -> str | None:
    """The refusal of a ``department`` that config/notices.yaml does not name and no notice was ever
    produced for, in Chinese with the configured names (and the English reason); None when known.

    docs/api.md: an unknown department is refused (422), never answered with an empty page — an
    empty page would tell a misspelt department it is up to date (domain.md §11). One text for the
    feed (``GET /v1/bureau/notices``) and the officers' page (``/bureau/notices``)."""
    if rules.department(department) is not None or department_known(conn, department):
        return None
    names = "、".join(d.name for d in rules.departments)
    return (f"没有该许可部门「{department}」，配置的许可部门为：{names} "
            "(no such licensing department in config/notices.yaml)")


def by_department(notices: list[Notice]) -> dict[str, list[Notice]]:
    """Notices grouped by department, in the order given."""
    out: dict[str, list[Notice]] = {}
    for n in notices:
        out.setdefault(n["department"], []).append(n)
    return out


def notices_head(conn: Connection, night: date, per_department: int,
                 zone: ZoneInfo | None = None) -> dict[str, list[Notice]]:
    """The first ``per_department`` notices of a night per department (the workbench's short list)."""
    rows = conn.execute(sqlfiles.statement("workbench/notices_head"), {"night": night, "l": per_department})
    return by_department([_notice(r, zone) for r in rows.mappings()])


def notices_counts(conn: Connection, night: date) -> dict[str, int]:
    """How many notices a night produced, per department."""
    rows = conn.execute(sqlfiles.statement("workbench/notices_count"), {"night": night})
    return {str(r[0]): int(r[1]) for r in rows}


def notices_page(conn: Connection, night: date, department: str | None, limit: int, offset: int,
                 zone: ZoneInfo | None = None) -> list[Notice]:
    """``limit`` notices of a night (one department's, when named) from ``offset``, by department then id."""
    rows = conn.execute(sqlfiles.statement("workbench/notices_page"),
                        {"night": night, "department": department, "l": limit, "o": offset})
    return [_notice(r, zone) for r in rows.mappings()]
