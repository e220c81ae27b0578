"""The entity look-up costs one entity (issue 11): a few statements per request, none of them a
fold of the whole roster, whatever the store holds. Counted, never timed (timings are the
benchmark's, ``python -m benchmarks.night``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.api import create_app
from credit.api.auth import create_key
from credit.settings import Settings
from tests.db.api.support import NAMES, A, B, C, D, Live, ServerThread, file_and_apply, run_night, seed_story


@dataclass
class Counted:
    live: Live
    statements: list[str]

    def look_up(self, uscc: str, role: str | None, **params: str) -> tuple[int, list[str]]:
        self.statements.clear()
        with self.live.client(role) as h:
            r = h.get(f"/v1/entities/{uscc}", params=params)
        # the key's look-up is remembered for key_cache_seconds (ServiceState.principal): not counted
        return r.status_code, [s for s in self.statements if "from api_keys" not in s]


@pytest.fixture()
def counted(engine: Engine, settings: Settings) -> Iterator[Counted]:
    clock = {"today": D("2026-07-15")}
    app = create_app(settings, today=lambda: clock["today"])
    statements: list[str] = []
    sa.event.listen(app.state.credit.engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *rest: statements.append(statement))
    with engine.begin() as c:
        keys = {role: create_key(c, role, f"测试{role}", "test", rate_per_minute=100_000)[1]
                for role in ("public", "consumer", "bureau")}
    with ServerThread(app) as srv:
        yield Counted(Live(srv.url, engine, settings, clock, keys), statements)


def test_a_look_up_is_a_few_statements_and_never_the_whole_roster(counted: Counted) -> None:
    seed_story(counted.live)
    file_and_apply(counted.live)          # 甲 has an application on its entry
    run_night(counted.live.engine, counted.live.settings, "2026-07-22")   # … and is removed
    for role in (None, "consumer", "bureau"):
        for uscc, entries in ((A, 1), (B, 0), (C, 1)):
            status, sql = counted.look_up(uscc, role)
            assert status == 200, (role, NAMES[uscc])
            # the data version with the registration, the entity's entries (one fold), its penalties; one
            # more per entry (its applications)
            assert len(sql) <= 3 + entries, (role, NAMES[uscc], sql)
            assert not any("roster_entry_detail_as_of(" in s or "roster_entry_detail_known(" in s for s in sql), sql
            assert sum("from night_runs" in s for s in sql) <= 1, sql
    # An earlier date asked by the public: what is hidden is judged on the latest data (one more fold)
    status, sql = counted.look_up(A, None, as_of="2026-07-16")
    assert status == 200 and len(sql) <= 6, sql
    status, sql = counted.look_up("91110105MA0000990X", None)
    assert status in (404, 422) and len(sql) <= 4, sql
