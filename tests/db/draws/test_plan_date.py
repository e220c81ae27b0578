"""A plan's --as-of is the date of the roster it draws from (名录日期), not a way to redo a past task.

Found by a review: a plan as of an old date scheduled its inspections in the past, and its pool
took today's registration status (an entity cancelled since was missing, one registered since was
in it), beside that date's tiers and inspections.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.draws import read, store
from credit.settings import Settings
from tests.db.draws.helpers import AS_OF, load_store, on_bureau_day, uscc


def _history(engine: Engine, night: date, change: str, code: str, status: str) -> None:
    """A registration_history row as a night's merge writes it (contracts.md §1, the registration source)."""
    with engine.begin() as c:
        c.execute(sa.text("""
            insert into registration_history (night, change, uscc, name, entity_kind, region_code, industry_code,
                                              established_on, status)
            select :night, :change, uscc, name, entity_kind, region_code, industry_code, established_on, :status
              from registration where uscc = :u"""), {"night": night, "change": change, "u": code, "status": status})


def test_the_pool_is_the_registration_as_the_store_held_it_on_the_plan_date(engine: Engine,
                                                                              settings: Settings) -> None:
    load_store(engine, n=30)   # first night 2026-08-01; uscc(0) is cancelled, the rest operating
    closed_later, new_later = uscc(1), uscc(2)
    for code in (closed_later, new_later):
        _history(engine, date(2026, 8, 1), "new", code, "operating")
    # A night after the plan date cancels uscc(1) and brings uscc(2) in for the first time (its
    # earlier rows are dropped here, as if the store had not known it then).
    later = AS_OF + timedelta(days=3)
    _history(engine, later, "changed", closed_later, "cancelled")
    with engine.begin() as c:
        c.execute(sa.text("update registration set status = 'cancelled', last_night = :n where uscc = :u"),
                  {"n": later, "u": closed_later})
        c.execute(sa.text("delete from registration_history where uscc = :u"), {"u": new_later})
        c.execute(sa.text("update registration set first_night = :n where uscc = :u"), {"n": later, "u": new_later})
    _history(engine, later, "new", new_later, "operating")
    with engine.begin() as c:
        draw_id = store.plan_draw(c, "annual_report", AS_OF, settings, public_seed_source="x")
        ent, _ = read.frozen_pools(c, draw_id)
    pool = set(ent["uscc"])
    assert closed_later in pool        # operating on the plan date; cancelled only by a later night
    assert new_later not in pool       # unknown to the store on the plan date
    assert uscc(0) not in pool and uscc(3) in pool
    assert len(pool) == 29 - 1 + 1 - 1   # 29 operating today, +1 cancelled since, -1 registered since


def test_a_plan_whose_window_would_have_begun_schedules_from_today(engine: Engine, settings: Settings,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """As of 2026-09-01 the window starts on the 5th working day after it, 2026-09-08: planned on
    2026-09-09, it would date the inspections in the past; the pool stays the roster of 2026-09-01
    and the window starts on the 5th working day after today instead (never refused: a store not
    published for a while, or the sample's old nights, can still be drawn from)."""
    load_store(engine, n=30)
    on_bureau_day(monkeypatch, date(2026, 9, 9))
    with engine.begin() as c:
        late = store.plan_draw(c, "annual_report", AS_OF, settings, public_seed_source="x")
        plan = read.load_plan(c, late)
    # 2026-09-09 (Wed) + 5 working days: 10, 11, 14, 15, 16 September.
    assert plan["rules"]["schedule_days"][0] == "2026-09-16"
    assert plan["rules"]["schedule_from"] == "2026-09-09"
    assert str(plan["as_of"]) == AS_OF.isoformat()
    on_bureau_day(monkeypatch, date(2026, 9, 8))   # the window's first day is today: not past, kept
    with engine.begin() as c:
        draw_id = store.plan_draw(c, "annual_report", AS_OF, settings, public_seed_source="x")
        rules = read.load_plan(c, draw_id)["rules"]
    assert rules["schedule_days"][0] == "2026-09-08" and "schedule_from" not in rules


def test_a_plan_scheduled_from_today_can_be_run_and_verified(engine: Engine, settings: Settings,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The late plan's window is in the future: `draw run` (refused once a window has begun) draws it."""
    load_store(engine, n=30)
    on_bureau_day(monkeypatch, date(2026, 9, 9))
    with engine.begin() as c:
        draw_id = store.plan_draw(c, "annual_report", AS_OF, settings, seed_commitment=hashlib.sha256(b"s").hexdigest())
    with engine.begin() as c:
        store.run_draw(c, draw_id, "s", settings)
        days = read.current_inspections(c, draw_id)["scheduled_on"].dropna().astype(str)
    assert len(days) > 0 and min(days) >= "2026-09-16"


def test_a_plan_scheduled_from_today_leaves_out_an_entity_inspected_since_its_roster_date(
        engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review (review2) of the window counted from today: a plan as of an old roster date is now
    made, not refused, and its inspections fall after today. An entity inspected after the roster
    date (a result a later night stored) was still in the pool — only results dated by --as-of
    held an entity back — so it was drawn to be inspected again days after its last inspection
    (domain.md §8: 国办发〔2024〕54号, no repeated checks of the same enterprise; config/draws.yaml
    exclusion_window_days). The results known when the plan is made, dated by today, hold it back."""
    load_store(engine, n=30)
    inspected = uscc(5)
    with engine.begin() as c:
        c.execute(sa.text("""insert into inspection_results (task_id, uscc, inspected_on, result_code, inspector_ids,
                                 first_night, last_night) values ('T9', :u, '2026-09-03', 'normal', '{INS001}',
                                 '2026-09-04', '2026-09-04')"""), {"u": inspected})
    on_bureau_day(monkeypatch, date(2026, 9, 9))
    with engine.begin() as c:
        draw_id = store.plan_draw(c, "annual_report", AS_OF, settings, public_seed_source="x")
        ent, _ = read.frozen_pools(c, draw_id)
        stats = read.load_plan(c, draw_id)["public_plan"]["pool_stats"]
    assert inspected not in set(ent["uscc"])
    assert stats["excluded_recently_inspected"] == 1
