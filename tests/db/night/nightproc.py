"""``credit nightly`` as a real process, for the crash and concurrency tests (issue 14).

Faults are injected with the test hook :mod:`credit.night.faults` (``CREDIT_FAULT``); the final
state is compared with :func:`state`, a digest of every table's content without the columns that
are wall-clock times (``timestamptz``), without surrogate ids drawn from sequences (PostgreSQL
never gives back a number a rolled-back transaction drew, so a killed night leaves a hole there;
the decision log's own ``seq`` is gap-free and compared) and without the timings in
``night_runs.summary``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import db
from credit.settings import Settings

CREDIT = str(Path(sys.executable).with_name("credit"))


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_")}
    env.update(CREDIT_DATABASE_URL=settings.database_url or "", CREDIT_HOME=str(settings.home),
               GX_ANALYTICS_ENABLED="False", **extra)
    return env


def start_nightly(settings: Settings, drop: Path, night: date, *extra_args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([CREDIT, "nightly", "--date", night.isoformat(), "--drop", str(drop), *extra_args],
                            env=env_for(settings, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def nightly(settings: Settings, drop: Path, night: date, *extra_args: str, **env: str) -> subprocess.CompletedProcess[str]:
    p = start_nightly(settings, drop, night, *extra_args, **env)
    out, err = p.communicate(timeout=300)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    """Until ``path`` exists (a paused fault point was reached); fails if the process ended first."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"ended with {proc.returncode} before the pause:\n{out}\n{err}")
        assert time.monotonic() < deadline, "the fault point was never reached"
        time.sleep(0.05)


def fresh_database(pg_dir: Path, name: str) -> str:
    """Another freshly migrated database on the session's server (cloned from the template)."""
    admin = sa.create_engine(db.embedded_url(pg_dir, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'create database "{name}" template credit_template')
    admin.dispose()
    return db.embedded_url(pg_dir, name)


def state(engine: Engine) -> dict[str, str]:
    """A digest per table of its content: what a re-run after a crash must reproduce exactly."""
    with engine.connect() as c:
        cols = c.execute(sa.text(
            "select table_name, string_agg(quote_ident(column_name), ', ' order by ordinal_position) "
            "from information_schema.columns where table_schema = 'public' "
            "and data_type not in ('timestamp with time zone', 'timestamp without time zone') "
            "and not (table_name = 'night_runs' and column_name = 'summary') "
            "and is_identity = 'NO' and coalesce(column_default, '') not like 'nextval(%%' "
            "and table_name in (select tablename from pg_tables where schemaname = 'public') "
            "group by table_name order by table_name")).all()
        out = {}
        for table, columns in cols:
            out[table] = c.execute(sa.text(
                f"select count(*) || ':' || md5(coalesce(string_agg(x::text, '|' order by x::text), '')) "
                f"from (select {columns} from {table}) x")).scalar_one()
        summary = c.execute(sa.text("select summary from night_runs order by night")).scalars().all()
    out["night_runs.summary"] = repr([_untimed(s) for s in summary])
    return out


def _untimed(doc: object) -> object:
    """A stored summary without its wall-clock timings (``stages``, ``seconds``), the report's path
    (per home) and the record of its signed anchor line (``anchor_published``: its SHA-256 covers
    the home's own signing key and the time of publication)."""
    if isinstance(doc, dict):
        return {k: _untimed(v) for k, v in doc.items() if k not in ("stages", "seconds", "report", "anchor_published")}
    if isinstance(doc, list):
        return [_untimed(v) for v in doc]
    return doc
