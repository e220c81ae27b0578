"""Migrations in tests: down to a revision (``credit.schema.upgrade`` goes up), in one transaction."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from credit import schema


def downgrade(engine: Engine, revision: str) -> None:
    """Run the migrations' downgrades until ``revision`` is the schema's."""
    cfg = Config()
    cfg.set_main_option("script_location", str(schema.MIGRATIONS))
    with engine.begin() as c:
        cfg.attributes["connection"] = c
        command.downgrade(cfg, revision)
