"""The night's role may truncate the night's staging tables (issue 12: production runs as ``credit_writer``).

Revision ID: 0049_writer_truncates_staging
Revises: 0048_night_rosters_config

After a night is published, ``credit.night.staging.clear_published`` empties the staging tables.
It truncates them when its role may (their pages back at once) and otherwise deletes their rows,
leaving a first night's millions of dead rows (13.5 GB at 10 M entities) for autovacuum and for
the next nights' deletes to scan. In production the nights run as ``credit_writer``
(docs/deploy.md §3), which migration 0046 granted INSERT, UPDATE and DELETE only: every night
there cleared its staging by delete.

``credit_grant_roles()`` now also grants TRUNCATE to ``credit_writer`` on the night's staging
tables — the UNLOGGED tables named ``night_staging_*`` (migrations 0016, 0027), whose rows
are nothing but what one night's ingest hands to its publish. No other table gets it: a table
with an append-only trigger is never a staging table, and the control tables and the legal
records keep the grants of migration 0046. The function is the one every migration adding a
table runs, so a staging table a later migration adds (a new source) gets the grant as well, and a
fresh install and an upgraded one end with the same privileges. ``credit db roles`` gives the
roles their logins only; it grants nothing.

Downgrade restores migration 0046's function and grants (TRUNCATE revoked).
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0049_writer_truncates_staging"
down_revision = "0048_night_rosters_config"
branch_labels = None
depends_on = None


def _m0046() -> ModuleType:
    spec = importlib.util.spec_from_file_location("credit_migration_0046",
                                                  Path(__file__).with_name("0046_grants_from_keywords.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Migration 0046's function, changed in two places (each must be found exactly once).
SELECTED = ("select c.oid::regclass as rel, c.relname,",
            "select c.oid::regclass as rel, c.relname, c.relpersistence,")
WRITABLE = ("        else\n            execute format('grant insert, update, delete on %s to credit_writer', t.rel);",
            "        elsif t.relname like 'night\\_staging\\_%' and t.relpersistence = 'u' then\n"
            "            -- the night's staging: emptied after each publication (credit.night.staging)\n"
            "            execute format('grant insert, update, delete, truncate on %s to credit_writer', t.rel);\n"
            "        else\n            execute format('grant insert, update, delete on %s to credit_writer', t.rel);")


def grant_function() -> str:
    text = str(_m0046().GRANT_FUNCTION)
    for old, new in (SELECTED, WRITABLE):
        if text.count(old) != 1:
            raise RuntimeError(f"migration 0049: migration 0046's grant function no longer reads {old!r}")
        text = text.replace(old, new)
    return text


def upgrade() -> None:
    op.execute(grant_function())
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    op.execute(_m0046().GRANT_FUNCTION)
    op.execute("select credit_grant_roles()")
