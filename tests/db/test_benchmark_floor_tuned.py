"""The night benchmark measures the first night's floor on the server as the nights run it
(issue 11). The floor child was the first to start a fresh home's server, whose tuning
(``wal_level`` minimal, 1 GB of buffers: ``credit.db.EMBEDDED_TUNING``) waits for the next start:
the first floor's COPYs wrote the WAL and ran on 128 MB of buffers, the night beside it did not."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from benchmarks.night import START, fresh_home, run_child
from credit.sample import write_sample


def test_the_first_floor_is_measured_on_the_tuned_server() -> None:
    work = Path(tempfile.mkdtemp(prefix="cbf", dir="/tmp"))   # short: the server's socket lives under it
    try:
        drop, home = work / "drop", work / "home"
        write_sample(drop, 40, 1, seed=3, start=START)
        fresh_home(home, drop, START)
        floor = run_child("floor", str(drop), START.isoformat(), str(home))
        assert floor["rows"] > 0
        assert floor["server"]["pending_restart"] == [], floor["server"]
        assert floor["server"]["wal_level"] == "minimal", floor["server"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
