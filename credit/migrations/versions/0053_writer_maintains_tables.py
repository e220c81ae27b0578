"""The night's role may analyze and vacuum the tables it writes (issue 11; production runs as ``credit_writer``).

Revision ID: 0053_writer_maintains_tables
Revises: 0052_name_search_by_characters

A night analyzes tables inside its transaction once they have grown by a tenth (the decision log
before the serious list's steps, ``credit.rosters.decide``; a history loaded tonight,
``credit.night.merge``) and, after its commit, analyzes and vacuums what it changed by a tenth
(``credit.night.steps``). PostgreSQL lets only a table's owner, or a role holding MAINTAIN on it
(PostgreSQL 17 and later), do either; any other role gets a warning and the table is skipped. In
production the nights run as ``credit_writer`` (docs/deploy.md §3), which migrations 0046 and 0049
granted SELECT, INSERT, UPDATE, DELETE and, on the staging, TRUNCATE: every one of those ANALYZEs
was skipped. At 10 M entities that is the serious list's candidates statement planned on a log
without statistics, which ran for 39 minutes without finishing (stop 43), and a second night that
paid for the first one's commit hints (stop 44).

``credit_grant_roles()`` now also grants MAINTAIN to ``credit_writer`` on every table, partition
and materialized view of the schema but the control tables (``role_table_grants``,
``alembic_version``: the owner's), on a server of PostgreSQL 17 or later. MAINTAIN allows VACUUM,
ANALYZE, CLUSTER, REINDEX, REFRESH MATERIALIZED VIEW and LOCK TABLE: none of them changes a row,
so the decision log stays append-only (its triggers and hash chain are untouched). On an older
server the grant does not exist and nothing changes: the night's statistics there need the owner
(docs/deploy.md). The function is the one every migration adding a table runs, so a later table
gets the grant too.

Downgrade restores migration 0049's function and grants (MAINTAIN revoked).
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0053_writer_maintains_tables"
down_revision = "0052_name_search_by_characters"
branch_labels = None
depends_on = None


def _m0049() -> ModuleType:
    spec = importlib.util.spec_from_file_location("credit_migration_0049",
                                                  Path(__file__).with_name("0049_writer_truncates_staging.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Migration 0049's function, changed in two places (each must be found exactly once).
SELECTED = ("select c.oid::regclass as rel, c.relname, c.relpersistence,",
            "select c.oid::regclass as rel, c.relname, c.relpersistence, c.relkind,")
MAINTAINED = ("        end if;\n    end loop;\n    -- What a role may write beyond reading",
              "        end if;\n"
              "        if t.relname not in ('role_table_grants', 'alembic_version') and t.relkind in ('r', 'p', 'm')\n"
              "           and current_setting('server_version_num')::int >= 170000 then\n"
              "            -- the night's statistics and vacuum (credit.night.merge, credit.rosters.decide,\n"
              "            -- credit.night.steps): without it they are skipped with a warning\n"
              "            execute format('grant maintain on %s to credit_writer', t.rel);\n"
              "        end if;\n"
              "    end loop;\n    -- What a role may write beyond reading")


def grant_function() -> str:
    text = str(_m0049().grant_function())
    for old, new in (SELECTED, MAINTAINED):
        if text.count(old) != 1:
            raise RuntimeError(f"migration 0053: migration 0049's grant function no longer reads {old!r}")
        text = text.replace(old, new)
    return text


def upgrade() -> None:
    op.execute(grant_function())
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    op.execute(_m0049().grant_function())
    op.execute("select credit_grant_roles()")
