"""A scoped night's causes 2–4 (credit.rosters.decide._fact_inclusions) are planned without
parallel workers (credit.night.scope.serial), and only they: a full night plans with the server's
setting, the setting is back after the statement, and the candidates are those of a full night."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.night import scope as night_scope
from credit.rosters import decide
from credit.rosters.env import RosterEnv
from credit.settings import Settings
from tests.db.grading.helpers import reg

NIGHT = date(2026, 7, 14)


def _setting(c: sa.Connection) -> str:
    return str(c.exec_driver_sql("select current_setting('max_parallel_workers_per_gather')").scalar_one())


def _seed(c: sa.Connection, usccs: list[str]) -> None:
    for i, u in enumerate(usccs):
        reg(c, u)
        c.execute(sa.text(
            "insert into inspection_results (task_id, uscc, inspected_on, result_code, result, inspector_ids, "
            "doc_no, first_night, last_night) values (:t, :u, '2026-03-01', 'unreachable', null, '{INS001}', :d, "
            "'2026-03-02', '2026-03-02')"), {"t": f"T{i}", "u": u, "d": f"J-{i}"})


def test_only_a_scoped_nights_causes_2_to_4_plan_without_workers(
        engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    usccs = [f"91330100MA{i:08d}" for i in range(8)]
    seen: list[str] = []
    real = night_scope.frame

    def frame(conn: sa.Connection, name: str, params: Any, scope: Any, key: str = "uscc") -> pd.DataFrame:
        if name == "rosters/fact_inclusions":
            seen.append(_setting(conn))
        return real(conn, name, params, scope, key)

    monkeypatch.setattr(night_scope, "frame", frame)
    env = RosterEnv.load(settings)
    with engine.begin() as c:
        _seed(c, usccs)
        server = _setting(c)
        assert server != "0"
        full = decide._fact_inclusions(c, env, NIGHT, night_scope.everything(c))
        assert seen == [server]
        seen.clear()
        inside = usccs[::2]
        scoped = decide._fact_inclusions(c, env, NIGHT, night_scope.of_entities(c, inside))
        assert seen == ["0"]
        assert _setting(c) == server
        c.rollback()
    assert len(full) == len(usccs)
    cols = ["uscc", "cause_code", "fact_key"]
    want = full[full["uscc"].isin(inside)][cols].sort_values("uscc").reset_index(drop=True)
    pd.testing.assert_frame_equal(scoped[cols].sort_values("uscc").reset_index(drop=True), want)
