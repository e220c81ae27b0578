"""The 双告知 statement (credit/sql/notices/produce.sql) matches tonight's industry codes against
configured codes of every GB/T 4754 length (section, division, group, class) as
:meth:`credit.notices.rules.Department.matches` does, and meets them in a join, not as a LIKE tried
on every pair of row and configured code (issue 11: 12.4 M LIKEs on a 1 M first night)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.notices.rules import Department, NoticeRules

N1, N2 = date(2026, 7, 13), date(2026, 7, 14)
SINCE = N2 - timedelta(days=30)
RULES = NoticeRules("t1", 30, (
    Department("卫生", "医疗", ("Q",)),
    Department("食品", "食品生产", ("C14", "C1411")),
    Department("乳品", "乳品生产", ("C141",)),
    Department("建筑", "资质", ("E47", "E4813")),
))
CODES = ("Q", "Q84", "Q8411", "C14", "C141", "C1411", "C1419", "C15", "E47", "E4813", "E4812", "F51", "C1")


def _rows(engine: Engine) -> list[tuple[str, str, str, str | None, date]]:
    """Night 1: a known entity per code; night 2: each moves to every other code, and a new
    entity per code (established within 30 days and before: night 2 is not the store's first load, so
    both are new registrations, domain.md §11). Returns night 2's rows."""
    tonight: list[tuple[str, str, str, str | None, date]] = []
    with engine.begin() as c:
        for i, prev in enumerate(CODES):
            for j, code in enumerate(CODES):
                u = f"K{i:02d}{j:02d}"
                c.execute(sa.text("insert into registration_history (night, change, uscc, industry_code, status, "
                                  "established_on, name, entity_kind, region_code, address) "
                                  "values (:n, 'new', :u, :c, 'operating', '2020-01-01', 'x', 'enterprise', '330102', 'a')"),
                          {"n": N1, "u": u, "c": prev})
                if code != prev:
                    tonight.append((u, "changed", code, prev, date(2020, 1, 1)))
            for k, est in enumerate((N2 - timedelta(days=3), SINCE - timedelta(days=1))):
                tonight.append((f"N{i:02d}{k}", "new", prev, None, est))
        for u, change, code, _, est in tonight:
            c.execute(sa.text("insert into registration_history (night, change, uscc, industry_code, status, "
                              "established_on, name, entity_kind, region_code, address) "
                              "values (:n, :ch, :u, :c, 'operating', :e, 'x', 'enterprise', '330102', 'a')"),
                      {"n": N2, "ch": change, "u": u, "c": code, "e": est})
        c.exec_driver_sql("analyze registration_history")
    return tonight


def _expected(tonight: list[tuple[str, str, str, str | None, date]]) -> set[tuple[str, str, str, str]]:
    out: set[tuple[str, str, str, str]] = set()
    for u, change, code, prev, _ in tonight:
        for d in RULES.departments:
            matched = d.matches(code)
            if matched is None:
                continue
            if change == "new":   # new to the store after its first load: whatever its established_on
                out.add((d.name, u, "registered", matched))
            elif change == "changed" and d.matches(prev) is None:
                out.add((d.name, u, "industry_changed", matched))
    return out


def _params() -> dict[str, object]:
    departments, licences, prefixes = RULES.arrays()
    return {"night": N2, "window_days": RULES.new_registration_days, "departments": departments, "licences": licences, "prefixes": prefixes,
            "produced_at": datetime(2026, 7, 15, 2, tzinfo=UTC), "config_version": RULES.version}


def test_codes_of_every_length_match_as_the_rules_say(engine: Engine) -> None:
    expected = _expected(_rows(engine))
    assert {e[2] for e in expected} == {"registered", "industry_changed"} and len(expected) > 40
    with engine.begin() as c:
        c.execute(sqlfiles.statement("notices/produce"), _params())
        got = set(c.execute(sa.text("select department, uscc, event, matched from notices where night = :n"),
                            {"n": N2}).tuples())
        assert got == expected
        # once each: the night again inserts nothing
        assert c.execute(sqlfiles.statement("notices/produce"), _params()).all() == []


def test_tonight_s_rows_meet_the_configured_codes_without_a_like_per_pair(engine: Engine) -> None:
    _rows(engine)
    with engine.connect() as c:
        plan = [r[0] for r in c.execute(sa.text("explain " + sqlfiles.text_of("notices/produce")), _params())]
    assert not [ln for ln in plan if "Join Filter" in ln and "~~" in ln], "\n".join(plan)
