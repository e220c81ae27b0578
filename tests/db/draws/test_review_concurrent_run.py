"""Review probe: two runs of the same draw at once (the CLI twice, the workbench and the CLI)."""

from __future__ import annotations

import threading
import time

from sqlalchemy.engine import Engine

from credit.draws import core, store
from credit.settings import Settings
from tests.db.draws.helpers import AS_OF, SEED, load_store


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
