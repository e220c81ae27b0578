"""A plan's --as-of is the date of the roster it draws from (名录日期), not a way to redo a past task.

Found by a review: a plan as of an old date scheduled its inspections in the past, and its pool
took today's registration status (an entity cancelled since was missing, one registered since was
in it), beside that date's tiers and inspections.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.draws import core, read, store
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


def test_a_plan_whose_inspection_window_has_begun_is_refused(engine: Engine, settings: Settings,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    load_store(engine, n=30)
    # As of 2026-09-01 the window starts on the 5th working day after it, 2026-09-08.
    on_bureau_day(monkeypatch, date(2026, 9, 9))
    with pytest.raises(core.DrawRefused) as e, engine.begin() as c:
        store.plan_draw(c, "annual_report", AS_OF, settings, public_seed_source="x")
    assert "检查期间自 2026-09-08 起，早于今天" in str(e.value)
    assert "inspections would be scheduled in the past" in str(e.value)
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from draw_plans")).scalar() == 0
    on_bureau_day(monkeypatch, date(2026, 9, 8))   # the window's first day is today: not past
    with engine.begin() as c:
        draw_id = store.plan_draw(c, "annual_report", AS_OF, settings, public_seed_source="x")
        assert read.load_plan(c, draw_id)["rules"]["schedule_days"][0] == "2026-09-08"


def test_a_refused_plan_as_of_the_latest_night_says_to_publish_the_nights_since(
        engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line's default date is the latest published night: when even its window has
    begun, "plan as of the latest published night" is advice already followed; the way out is to
    publish the nights since (a stale store), and the refusal says so."""
    load_store(engine, n=30)
    with engine.begin() as c:
        c.execute(sa.text("insert into night_runs (night, manifest_digest, config_version, started_at, finished_at, "
                          "summary) values (:n, 'test', 'test', now(), now(), '{}'::jsonb)"), {"n": AS_OF})
    on_bureau_day(monkeypatch, date(2026, 9, 9))
    with pytest.raises(core.DrawRefused) as e, engine.begin() as c:
        store.plan_draw(c, "annual_report", AS_OF, settings, public_seed_source="x")
    assert "最近的已发布批次 2026-09-01 已过旧，请先发布其后的批次" in str(e.value)
    assert "publish the nights since" in str(e.value)
    assert "plan as of the latest published night)" not in str(e.value)
