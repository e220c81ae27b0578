"""The embedded server's lifetime (issue 14): a client killed with SIGKILL leaves its id in the
server's handle list; the next process forgets it, reuses the server, and stops it when it exits —
so the server is not left running for ever. Its commits are durable (``synchronous_commit`` on)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from credit import db

CLIENT = """
import os, signal, sys
from pathlib import Path
from credit import db
db.embedded_server(Path(sys.argv[1]))
print(os.getpid(), flush=True)
if sys.argv[2] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _client(data: Path, how: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLIENT, str(data), how], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "GX_ANALYTICS_ENABLED": "False"})


def _postmaster_running(data: Path) -> bool:
    pid_file = data / "postmaster.pid"
    if not pid_file.is_file():
        return False
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_server_orphaned_by_a_killed_client_is_reused_and_stopped(tmp_path: Path) -> None:
    data = tmp_path / "pg"
    killed = _client(data, "kill")
    assert killed.returncode == -signal.SIGKILL
    assert _postmaster_running(data)                     # orphaned: its only owner died
    assert str(int(killed.stdout.split()[0])) in (data / ".handle_pids.json").read_text()
    clean = _client(data, "exit")
    assert clean.returncode == 0, clean.stderr
    deadline = time.monotonic() + 30
    while _postmaster_running(data) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _postmaster_running(data)                 # the next owner stopped it on exit
    assert (data / ".handle_pids.json").read_text().strip() in ("", "[]")


def test_forgetting_dead_handles_keeps_the_living(tmp_path: Path) -> None:
    data = tmp_path / "pg"
    data.mkdir()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (data / ".handle_pids.json").write_text(f"[{gone.pid}, {os.getpid()}]")
    assert db.forget_dead_handles(data) == [os.getpid()]
    assert (data / ".handle_pids.json").read_text() == f"[{os.getpid()}]"


def test_the_embedded_server_commits_durably(pg_dir: Path) -> None:
    url = db.embedded_url(pg_dir, "postgres")
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            c.exec_driver_sql("alter system set synchronous_commit = 'off'")   # as older versions left it
            c.exec_driver_sql("select pg_reload_conf()")
        db.tune_embedded(url)
        with engine.connect() as c:
            assert c.exec_driver_sql("show synchronous_commit").scalar() == "on"
    finally:
        engine.dispose()


def test_the_embedded_server_is_readied_once_per_process_and_handle(pg_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``database_url`` tunes the server and looks its database up (two new connections, 54–103 ms
    a call at 1 M) the first time a process asks for a server handle, not on every engine a night
    asks for (issue 11); the database it names is there."""
    from credit.settings import Settings

    settings = Settings(home=pg_dir.parent, database_url=None)
    url = db.database_url(settings)
    calls: list[str] = []
    for name in ("tune_embedded", "create_database_if_missing"):
        monkeypatch.setattr(db, name, lambda u, name=name: calls.append(name))
    assert db.database_url(settings) == db.database_url(settings) == url
    assert calls == []
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            assert c.exec_driver_sql("select current_database()").scalar() == "credit"
    finally:
        engine.dispose()
