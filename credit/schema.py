"""Schema migrations (Alembic): ``credit db upgrade`` and the check that the schema is current.

Every command that touches data checks first that the database is at the newest migration
(:func:`ensure_current`). That check runs in every night's process and every CLI call, so it
does not import Alembic (0.4 s) nor load its script directory, which imports every migration
script (0.1 s, twice a night): the newest revision is read from the scripts' own ``revision`` /
``down_revision`` lines, and the database's from ``alembic_version``. Alembic itself runs the
upgrade, and names the head whenever the scripts' lines do not name exactly one
(``tests/unit/test_schema_head.py`` checks both ways give the same head).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from credit import sqlfiles

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# A script's identity as every script of ours states it: one line each, at the top level.
_IDENTITY = re.compile(r'^(revision|down_revision)\s*=\s*(?:"([^"\n]+)"|None)\s*$', re.MULTILINE)


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def alembic_head() -> str:
    """The head as Alembic finds it (imports every migration script)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration: the one revision that no other script revises."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((k, v or None) for k, v in _IDENTITY.findall(script.read_text(encoding="utf-8")))
        if "revision" not in found or found["revision"] is None:
            return alembic_head()   # a script written otherwise: Alembic reads it
        revisions.add(found["revision"])
        if found.get("down_revision"):
            revised.add(str(found["down_revision"]))
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else alembic_head()


def current_revision(engine: Engine) -> str | None:
    """The database's revision (``alembic_version``), None before the first upgrade."""
    with engine.connect() as conn:
        if conn.execute(sqlfiles.statement("server/schema_versioned")).scalar() is None:
            return None
        rows = conn.execute(sqlfiles.statement("server/schema_versions")).scalars().all()
    if len(rows) > 1:
        raise RuntimeError(f"the database records several schema heads {sorted(rows)}: run `credit db upgrade`")
    return rows[0] if rows else None


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Create or migrate the schema; returns the revision now in force."""
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        # One upgrade at a time, even when two nights start together.
        conn.exec_driver_sql(sqlfiles.text_of("server/schema_upgrade_lock"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    rev = current_revision(engine)
    assert rev is not None
    return rev


def ensure_current(engine: Engine, *, auto: bool) -> None:
    """Upgrade when ``auto`` (the embedded database); else refuse to run on an out-of-date schema."""
    if current_revision(engine) == head_revision():
        return
    if auto:
        upgrade(engine)
        return
    raise RuntimeError("the database schema is not current: run `credit db upgrade` first")
