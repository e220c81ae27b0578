"""The night benchmark's CPU meter (``benchmarks.night.CpuMeter``, issue 11): the server's side
counts the backends that ended, as a night's do when its connections close; the figure the
benchmark sets against "3 × the floor" rests on it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from benchmarks.night import CpuMeter


def test_the_cpu_of_a_backend_that_ended_is_counted(pg_dir: Path, database_url: str) -> None:
    meter = CpuMeter(pg_dir.parent)
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:   # a second or two of one backend's CPU on machines of this kind
        conn.exec_driver_sql("select count(*) from generate_series(1, 20000000)").scalar()
    engine.dispose()                 # the backend ends; its time is now the postmaster's children's
    spent = meter.phase()
    assert spent["server"] >= 0.4, spent   # CPU time, not wall time: a loaded machine does not lower it
    assert 0 <= spent["client"] < spent["server"], spent
