"""Shared set-up of the grading tests: registrations, reports and roster entries written straight to the store."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.context import NightContext
from credit.grading.night import grade_night
from credit.penalties.store import maintain_windows
from credit.settings import Settings

NIGHT = date(2026, 7, 15)   # report years 2023–2025 are due (2025's deadline: Tue 2026-06-30)
NEXT = date(2026, 7, 16)


def reg(c: sa.Connection, uscc: str, *, status: str = "operating", established: str = "2020-03-01",
        rep: str | None = None, region: str = "110105", industry: str = "C13") -> None:
    c.execute(sa.text(
        "insert into registration (uscc, name, entity_kind, region_code, industry_code, registered_capital, "
        "established_on, status, legal_rep_hash, first_night, last_night) values "
        "(:u, :u, 'enterprise', :r, :i, 100000, :e, :s, :h, '2026-07-01', '2026-07-01')"),
        {"u": uscc, "r": region, "i": industry, "e": established, "s": status, "h": rep})


def reports(c: sa.Connection, uscc: str, filed: dict[int, str], employees: int = 5, revenue: float = 1e5) -> None:
    for year, on in filed.items():
        c.execute(sa.text(
            "insert into annual_reports (uscc, report_year, filed_on, employees, revenue, first_night, last_night) "
            "values (:u, :y, :f, :e, :r, '2026-07-01', '2026-07-01')"),
            {"u": uscc, "y": year, "f": on, "e": employees, "r": revenue})


def all_filed(c: sa.Connection, uscc: str) -> None:
    reports(c, uscc, {2023: "2024-05-01", 2024: "2025-05-01", 2025: "2026-05-01"})


def listed(c: sa.Connection, uscc: str, roster: str, on: str = "2026-07-10") -> None:
    """A decision through the rosters area's log (its documented table), as the night would write it."""
    c.execute(sa.text(
        "insert into roster_decisions (uscc, roster, action, cause_code, cause, basis, rule_id, rule_version, facts, "
        "decision_date, authority, authority_name, config_version, actor) values "
        "(:u, :r, 'include', 'test', '测试', 'test', 'test', 't1', '{}'::jsonb, :d, '110105', '测试局', 't1', 'test')"),
        {"u": uscc, "r": roster, "d": on})


def night(engine: Engine, settings: Settings, d: date = NIGHT) -> dict[str, Any]:
    with engine.begin() as c:
        # As the night does before grading (credit.rosters.decide): tonight's penalty publicity windows.
        maintain_windows(c, d, settings)
        return grade_night(c, NightContext(d, "digest", settings))


def grades(engine: Engine, d: date = NIGHT) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    with engine.connect() as c:
        return {u: (g, r) for u, g, r in c.execute(
            sa.text("select uscc, grade, reasons from grades where night = :n"), {"n": d})}
