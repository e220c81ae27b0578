"""Which registrations the 双告知 step pushes as new (domain.md §11: the licensing department is
told "at once"), night by night over the registration history (credit/sql/notices/produce.sql).

- An industry that arrives a night after the registration (night 1 the row is new with an empty
  industry_code, which contracts.md §1 reads as unknown; night 2 it carries C14) is a new
  registration, not an ``industry_changed`` from a blank industry.
- The new-registration window (config/notices.yaml ``new_registration_days``) keeps the store's
  first load (a full snapshot of every existing entity) from notifying every licensed entity; an
  entity that first reaches the store on a later night is pushed whatever its established_on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.context import NightContext
from credit.notices.night import produce_notices
from credit.settings import Settings

N1, N2, N3 = date(2026, 7, 13), date(2026, 7, 20), date(2026, 7, 21)
FOOD_DEPT = "市场监督管理局（食品生产许可）"   # C14 in the shipped config/notices.yaml
OLD = date(2000, 1, 1)

# name → [(night, change, industry_code, established_on)]
HISTORY: dict[str, list[tuple[date, str, str | None, date]]] = {
    # the store's first load
    "OLD_FOOD": [(N1, "new", "C14", OLD)],                                 # existing: never pushed
    "RECENT_FOOD": [(N1, "new", "C14", N1 - timedelta(days=3))],           # within the window
    "OLD_BLANK": [(N1, "new", None, OLD), (N3, "changed", "C14", OLD)],    # industry filled in, old entity
    "RECENT_BLANK": [(N1, "new", None, N1 - timedelta(days=3)), (N3, "changed", "C14", N1 - timedelta(days=3))],
    "FLIP": [(N1, "new", "C14", OLD), (N2, "changed", None, OLD), (N3, "changed", "C14", OLD)],
    "MOVER": [(N1, "new", "L72", OLD), (N3, "changed", "C14", OLD)],
    # later nights
    "P": [(N2, "new", None, N2 - timedelta(days=2)), (N3, "changed", "C14", N2 - timedelta(days=2))],
    "LATE": [(N2, "new", "C14", N2 - timedelta(days=45))],                # delivered 45 days late
    "LATE_OLD": [(N3, "new", "C14", OLD)],
}


def _load(engine: Engine) -> None:
    with engine.begin() as c:
        for uscc, rows in HISTORY.items():
            for night, change, industry, established in rows:
                c.execute(sa.text(
                    "insert into registration_history (night, change, uscc, industry_code, status, established_on, "
                    "name, entity_kind, region_code, address) "
                    "values (:n, :ch, :u, :c, 'operating', :e, :u, 'enterprise', '330102', 'a')"),
                    {"n": night, "ch": change, "u": uscc, "c": industry, "e": established})


def _night(engine: Engine, settings: Settings, night: date) -> set[tuple[str, str, str | None]]:
    with engine.begin() as c:
        produce_notices(c, NightContext(night, f"test-{night}", settings), now=datetime(2026, 7, 22, 2, tzinfo=UTC))
        rows = c.execute(sa.text("select uscc, event, previous_industry_code from notices "
                                 "where night = :n and department = :d"), {"n": night, "d": FOOD_DEPT}).tuples()
        return set(rows)


def test_the_window_keeps_the_first_load_quiet_and_a_late_delivery_is_pushed(
        engine: Engine, settings: Settings) -> None:
    _load(engine)
    # night 1, the store's first load: only the entity established within the window
    assert _night(engine, settings, N1) == {("RECENT_FOOD", "registered", None)}
    # night 2: a registration delivered 45 days after it was established is still new to the department
    assert _night(engine, settings, N2) == {("LATE", "registered", None)}


def test_a_registration_whose_industry_arrives_late_is_pushed_as_a_registration(
        engine: Engine, settings: Settings) -> None:
    _load(engine)
    _night(engine, settings, N1)
    _night(engine, settings, N2)
    # night 3: P's industry arrived a night late: a registration, not a change from a blank industry;
    # the entity of the first load established within the window likewise; an old entity's industry
    # filled in, or back after a night unknown, is no event; a real change is a change.
    assert _night(engine, settings, N3) == {
        ("P", "registered", None),
        ("RECENT_BLANK", "registered", None),
        ("MOVER", "industry_changed", "L72"),
        ("LATE_OLD", "registered", None),
    }
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from notices where event = 'industry_changed' "
                                 "and previous_industry_code is null")).scalar_one() == 0


def _uscc(area: str, body: str) -> str:
    """A USCC-shaped code: pos. 3–8 the registering authority's area (domain.md §1); checks not computed."""
    return f"91{area}MA{body}XX"


# (uscc, region_code, night it reaches the store, established_on): every row C14, operating
MOVES = [
    (_uscc("330102", "000001"), "330102", N1, N1 - timedelta(days=3)),   # first load, registered here
    (_uscc("420106", "000002"), "330102", N1, N1 - timedelta(days=3)),   # first load, moved in from Wuhan
    (_uscc("420106", "000003"), "330102", N2, OLD),                      # moved in from Wuhan on a later night
    (_uscc("330106", "000004"), "330102", N2, N2 - timedelta(days=2)),   # moved in from a neighbouring district
    (_uscc("330100", "000005"), "330102", N2, N2 - timedelta(days=45)),  # registered by the city bureau, late
    (_uscc("330000", "000006"), "330102", N2, N2 - timedelta(days=2)),   # registered by the province bureau
    (_uscc("100000", "000007"), "330102", N2, N2 - timedelta(days=2)),   # registered by the national bureau
]


def test_an_entity_that_moved_in_is_not_pushed_as_a_new_registration(engine: Engine, settings: Settings) -> None:
    """Registered by an authority of another area (USCC pos. 3–8 neither its region nor the region's
    city or province): it moved in; domain.md §11 pushes registrations, and it was registered elsewhere."""
    with engine.begin() as c:
        for uscc, region, night, established in MOVES:
            c.execute(sa.text(
                "insert into registration_history (night, change, uscc, industry_code, status, established_on, "
                "name, entity_kind, region_code, address) "
                "values (:n, 'new', :u, 'C14', 'operating', :e, :u, 'enterprise', :r, 'a')"),
                {"n": night, "u": uscc, "e": established, "r": region})
    assert _night(engine, settings, N1) == {(MOVES[0][0], "registered", None)}
    assert _night(engine, settings, N2) == {(MOVES[4][0], "registered", None), (MOVES[5][0], "registered", None),
                                            (MOVES[6][0], "registered", None)}
