"""the night's staging: what ingest hands to publish, in the database instead of a worker's disk (issue 12).

Revision ID: 0016_night_staging
Revises: 0015_grade_ranges_lookups

Each ingest task writes one file's outcome, accepted rows and held-back rows here, keyed by
(night, manifest digest, file); ``publish`` reads them inside its transaction and, after the
commit, deletes the staging of that night and of every earlier one. Nothing passes between tasks
on a local disk, so ingest and publish may run on different worker hosts.

- ``night_staging_files``: one file's outcome (``credit.night.records.FileRecord`` as JSON).
- ``night_staging_rows``: its accepted rows, each as the JSON of a row of the source's table
  (typed by PostgreSQL when staged; ``jsonb_populate_record`` gives them back typed at publish),
  so a column a later migration adds to a source needs no change here.
- ``night_staging_quarantine``: its held-back rows, as ``quarantine`` stores them.

UNLOGGED: a crash of the server empties them, which costs nothing but a re-run of ingest (the
publishing transaction refuses a night whose staging is missing, ``staging_missing``).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016_night_staging"
down_revision = "0015_grade_ranges_lookups"
branch_labels = None
depends_on = None

KEY = ("night", "digest", "file")


def _key() -> list[sa.Column[object]]:
    return [sa.Column("night", sa.Date(), nullable=False),
            sa.Column("digest", sa.Text(), nullable=False, comment="the manifest's SHA-256"),
            sa.Column("file", sa.Text(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "night_staging_files",
        *_key(),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("outcome", postgresql.JSONB(), nullable=False, comment="credit.night.records.FileRecord"),
        sa.Column("staged_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint(*KEY),
        prefixes=["UNLOGGED"],
        comment="One ingested file's outcome, waiting for publish (deleted after the night is published)",
    )
    op.create_table(
        "night_staging_rows",
        *_key(),
        sa.Column("row", postgresql.JSONB(), nullable=False, comment="a row of the source's table, as JSON"),
        prefixes=["UNLOGGED"],
        comment="One ingested file's accepted rows, waiting for publish",
    )
    op.create_index("ix_night_staging_rows_key", "night_staging_rows", list(KEY))
    op.create_table(
        "night_staging_quarantine",
        *_key(),
        sa.Column("line", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", postgresql.JSONB(), nullable=False),
        prefixes=["UNLOGGED"],
        comment="One ingested file's held-back rows, waiting for publish",
    )
    op.create_index("ix_night_staging_quarantine_key", "night_staging_quarantine", list(KEY))
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    op.drop_table("night_staging_quarantine")
    op.drop_table("night_staging_rows")
    op.drop_table("night_staging_files")
