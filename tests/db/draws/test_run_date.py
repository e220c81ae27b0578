"""`draw run` of a plan whose inspection window has begun is refused, as `draw plan` refuses to make one.

Found by a review: a plan (one waiting for its public seed value, say) could still be run weeks
later, and its frozen window then dated the inspections it assigned in the past (domain.md §8).
A draw run before its window began still verifies and answers a re-run on any later day.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.cli.commands.draws import app
from credit.draws import core, read, store
from credit.settings import Settings
from tests.db.draws.helpers import AS_OF, SEED, load_store, on_bureau_day

runner = CliRunner()
# A plan as of AS_OF (2026-09-01) schedules from its 5th working day after: 2026-09-08.
FIRST_DAY = date(2026, 9, 8)


def _plan(engine: Engine, settings: Settings, scope: str | None = None, **seed: str) -> str:
    with engine.begin() as c:
        return store.plan_draw(c, "annual_report", AS_OF, settings, today=AS_OF, scope=scope,
                               **(seed or {"seed_commitment": core.seed_commitment(SEED)}))


def test_a_run_after_the_window_began_is_refused_and_writes_nothing(engine: Engine, settings: Settings) -> None:
    load_store(engine, n=60)
    draw_id = _plan(engine, settings, public_seed_source="上证综指 2026-09-04 收盘价")
    with pytest.raises(core.DrawRefused) as e, engine.begin() as c:
        store.run_draw(c, draw_id, "3812.22", settings, today=date(2026, 9, 9))
    text = str(e.value)
    assert f"{draw_id} 的检查期间为 2026-09-08 至" in text and "今天（本局时间 2026-09-09）" in text
    assert "请重新制定计划" in text and "inspections in the past" in text and "plan again" in text
    with engine.connect() as c:
        assert not read.is_drawn(c, draw_id)
        assert c.execute(sa.text("select count(*) from draw_inspections")).scalar() == 0
    assert not (settings.reports_dir / "draws" / f"{draw_id}.public.json").exists()
    # On the window's first day the plan is still drawn, as plan_draw still makes it.
    with engine.begin() as c:
        store.run_draw(c, draw_id, "3812.22", settings, today=FIRST_DAY)
    with engine.connect() as c:
        assert read.is_drawn(c, draw_id)


def test_the_cli_refuses_with_exit_2_and_old_draws_still_verify(engine: Engine, cli_env: Settings,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    load_store(engine, n=60)
    # Two areas, so that the draw run in time holds none of the other plan's entities.
    late = _plan(engine, cli_env, "341000")
    drawn = _plan(engine, cli_env, "411402", seed_commitment=core.seed_commitment("other"))
    r = runner.invoke(app, ["run", drawn, "--seed", "other"])   # the bureau's clock: AS_OF
    assert r.exit_code == 0, r.output
    on_bureau_day(monkeypatch, date(2026, 10, 12))
    r = runner.invoke(app, ["run", late, "--seed", SEED])
    assert r.exit_code == 2, r.output
    assert "检查期间为 2026-09-08 至" in r.output and "请重新制定计划" in r.output, r.output
    # A draw run in time: verify holds, and a re-run with its seed is answered, not refused.
    r = runner.invoke(app, ["verify", drawn])
    assert r.exit_code == 0 and "match" in r.output, r.output
    r = runner.invoke(app, ["run", drawn, "--seed", "other"])
    assert r.exit_code == 0 and "已经抽取（所用种子相同）" in r.output, r.output
