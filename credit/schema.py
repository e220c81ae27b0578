"""Schema migrations (Alembic): ``credit db upgrade`` and the check that the schema is current."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Create or migrate the schema; returns the revision now in force."""
    cfg = _config()
    with engine.begin() as conn:
        # One upgrade at a time, even when two nights start together.
        conn.exec_driver_sql("select pg_advisory_xact_lock(7262831)")
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
