"""双告知 over random registration histories (hypothesis) — domain.md §11, sql/notices/produce.sql.

A few entities over four nights, each night absent or delivered with an industry (licensed by one
department, by another, by none, or unknown), registered here or moved in. The notices the night
writes are exactly those of the rule, stated here independently of the SQL:

- a registration: the first night the store knows the entity's industry, if a department licenses
  it, the entity was registered by an authority of its own area, and it reached the store after
  the first load (or, on the first load, was established within the window);
- a change: tonight's industry differs from the last one known and a department licenses the new
  industry but not the old;
- once per department and event, whatever the re-runs; the matched code is the department's most
  specific one.
Each example runs in one transaction that is rolled back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from credit.config import load_config
from credit.context import NightContext
from credit.notices.night import produce_notices
from credit.notices.rules import rules_of

NIGHTS = [date(2026, 7, 13), date(2026, 7, 14), date(2026, 7, 20), date(2026, 7, 21)]
CODES = [None, "C14", "C1411", "C15", "H62", "L72", "C", "C2"]
ENTITIES = [("91330102MA0000001X", "330102"), ("91330102MA0000002X", "330102"),
            ("91330100MA0000003X", "330102"), ("91420106MA0000004X", "330102")]   # the last moved in
MOVED = {"91420106MA0000004X"}

history = st.lists(st.lists(st.one_of(st.none(), st.sampled_from(CODES).map(lambda c: ("row", c))),
                            min_size=len(NIGHTS), max_size=len(NIGHTS)),
                   min_size=len(ENTITIES), max_size=len(ENTITIES))
established = st.lists(st.sampled_from([-400, -31, -30, -3, 0]), min_size=len(ENTITIES), max_size=len(ENTITIES))


def _licensing(departments: Any, code: str) -> dict[str, str]:
    """department → its most specific configured code that ``code`` falls under."""
    out = {}
    for d in departments:
        hit = d.matches(code)
        if hit is not None:
            out[d.name] = hit
    return out


def _expected(rows: dict[str, list[tuple[date, str | None]]], est: dict[str, date], departments: Any,
              window: int) -> dict[date, set[tuple[str, str, str, str | None, str]]]:
    first_load = min(n for rs in rows.values() for n, _ in rs)
    out: dict[date, set[tuple[str, str, str, str | None, str]]] = {n: set() for n in NIGHTS}
    seen: set[tuple[str, str]] = set()
    for night in NIGHTS:
        for uscc, rs in rows.items():
            tonight = [c for n, c in rs if n == night]
            if not tonight or tonight[0] is None:
                continue
            code = tonight[0]
            before = [(n, c) for n, c in rs if n < night]
            first_night = min((n for n, _ in before), default=night)
            known = [c for _, c in before if c is not None]
            previous = known[-1] if known else None
            if previous is None:
                new = first_night > first_load or est[uscc] >= first_night - timedelta(days=window)
                if uscc in MOVED or not new:
                    continue
                for dept, matched in _licensing(departments, code).items():
                    key = f"registered:{uscc}:{est[uscc]}"
                    if (dept, key) not in seen:
                        seen.add((dept, key))
                        out[night].add((dept, uscc, "registered", None, matched))
            elif previous != code:
                before_depts = _licensing(departments, previous)
                for dept, matched in _licensing(departments, code).items():
                    if dept not in before_depts:
                        out[night].add((dept, uscc, "industry_changed", previous, matched))
    return out


@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history, established)
def test_the_notices_are_exactly_the_rule_s_events_once_each(engine, settings, hist, est_days) -> None:  # type: ignore[no-untyped-def]
    rules = rules_of(load_config("notices", settings))
    rows: dict[str, list[tuple[date, str | None]]] = {}
    est: dict[str, date] = {}
    for (uscc, _), per_night, days in zip(ENTITIES, hist, est_days, strict=True):
        got = [(n, x[1]) for n, x in zip(NIGHTS, per_night, strict=True) if x is not None]
        if got:
            rows[uscc] = got
            est[uscc] = got[0][0] + timedelta(days=days)
    if not rows:
        return
    want = _expected(rows, est, rules.departments, rules.new_registration_days)
    with engine.connect() as c:
        tx = c.begin()
        try:
            for uscc, region in ENTITIES:
                for k, (night, code) in enumerate(rows.get(uscc, [])):
                    c.execute(sa.text(
                        "insert into registration_history (night, change, uscc, industry_code, status, established_on, "
                        "name, entity_kind, region_code, address) "
                        "values (:n, :ch, :u, :c, 'operating', :e, :u, 'enterprise', :r, 'a')"),
                        {"n": night, "ch": "new" if k == 0 else "changed", "u": uscc, "c": code, "e": est[uscc],
                         "r": region})
            for night in NIGHTS:
                ctx = NightContext(night, f"test-{night}", settings)
                produce_notices(c, ctx, now=datetime(2026, 7, 22, 2, tzinfo=UTC))
                assert produce_notices(c, ctx, now=datetime(2026, 7, 22, 3, tzinfo=UTC))["produced"] == 0
                got = set(c.execute(sa.text(
                    "select department, uscc, event, previous_industry_code, matched from notices where night = :n"),
                    {"n": night}).tuples())
                assert got == want[night], (night, rows, est)
        finally:
            tx.rollback()
