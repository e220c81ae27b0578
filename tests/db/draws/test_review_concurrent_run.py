"""Review probe: two runs of the same draw at once (the CLI twice, the workbench and the CLI)."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.draws import core, pools, read, store
from credit.settings import Settings
from tests.db.draws.helpers import AS_OF, SEED, load_store, plan_and_run


def test_a_second_run_of_the_same_draw_at_once_is_refused_as_drawn_already(engine: Engine,
                                                                           settings: Settings) -> None:
    """run_draw checks is_drawn before it takes RUN_LOCK: the run that waited for the lock then finds
    its own draw's inspections as 'another draw run since the plan' and is refused for a stale pool,
    telling the operator to plan again — where the draw was simply drawn already (run once)."""
    load_store(engine, n=60)
    with engine.begin() as c:
        draw_id = store.plan_draw(c, "annual_report", AS_OF, settings, seed_commitment=core.seed_commitment(SEED))
    errors: list[BaseException] = []
    first = engine.connect()
    tx = first.begin()
    store.run_draw(first, draw_id, SEED, settings)   # holds RUN_LOCK until it commits

    def second() -> None:
        try:
            with engine.begin() as c:
                store.run_draw(c, draw_id, SEED, settings)
        except BaseException as e:   # noqa: BLE001 - reported below
            errors.append(e)

    t = threading.Thread(target=second)
    t.start()
    time.sleep(2)          # the second run is past is_drawn, waiting for the lock
    tx.commit()
    first.close()
    t.join(60)
    assert len(errors) == 1, errors
    assert isinstance(errors[0], core.DrawRefused), repr(errors[0])
    assert "once" in str(errors[0]), str(errors[0])


def _all_exempt(settings: Settings, tmp_path: Path) -> Settings:
    """Settings whose draws.yaml exempts every tier from the exclusion (no draw holds an entity)."""
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    path = conf / "draws.yaml"
    text = path.read_text("utf-8")
    assert "exclusion_exempt_tiers: [D]" in text
    path.write_text(text.replace("exclusion_exempt_tiers: [D]", "exclusion_exempt_tiers: [A, B, C, D]"), "utf-8")
    return settings.model_copy(update={"config_dir": conf})


def test_an_all_exempt_pool_is_not_drawn_twice_by_two_runs_at_once(engine: Engine, settings: Settings,
                                                                   tmp_path: Path) -> None:
    """With every tier exempt, drawn_since_plan finds nothing: the run that waited for the lock must
    still be refused as drawn already (before, it went on to the inserts a second time)."""
    settings = _all_exempt(settings, tmp_path)
    load_store(engine, n=60)
    with engine.begin() as c:
        draw_id = store.plan_draw(c, "annual_report", AS_OF, settings, seed_commitment=core.seed_commitment(SEED))
    errors: list[BaseException] = []
    first = engine.connect()
    tx = first.begin()
    store.run_draw(first, draw_id, SEED, settings)

    def second() -> None:
        try:
            with engine.begin() as c:
                store.run_draw(c, draw_id, SEED, settings)
        except BaseException as e:   # noqa: BLE001 - reported below
            errors.append(e)

    t = threading.Thread(target=second)
    t.start()
    time.sleep(2)
    tx.commit()
    first.close()
    t.join(60)
    assert len(errors) == 1, errors
    assert isinstance(errors[0], core.DrawRefused) and "once" in str(errors[0]), repr(errors[0])
    with engine.connect() as c:
        runs = c.execute(sa.text("select count(*) from draw_runs where draw_id = :d"), {"d": draw_id}).scalar()
    assert runs == 1


def test_a_draw_s_own_inspections_are_not_another_draw_since_its_plan(engine: Engine, settings: Settings) -> None:
    load_store(engine, n=60)
    draw_id = plan_and_run(engine, settings)
    with engine.connect() as c:
        plan = read.load_plan(c, draw_id)
        ent, _ = read.frozen_pools(c, draw_id)
        assert pools.drawn_since_plan(c, draw_id, plan["rules"], AS_OF, ent) == []
