"""the data quality view: every published night's Great Expectations results (issue 15).

Revision ID: 0019_quality_results
Revises: 0018_officers

- ``quality_results``: one row per expectation of each file's suite, per published night — the
  expectation, its kwargs, whether it held, the observed value (aggregate expectations) or the
  unexpected count and percentage (row expectations). Written inside the publishing transaction
  from the night's staging, so a reader never sees the results of a night that is not published
  (a refused drop's results stay in its staging, cleared with it). Append-only, like the night's
  record it belongs to.
- ``night_staging_files.expectations``: the ingest step's results for one file, waiting there for
  publish with the file's outcome and rows (the staging is UNLOGGED and cleared after publishing).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0019_quality_results"
down_revision = "0018_officers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("night_staging_files", sa.Column(
        "expectations", postgresql.JSONB(), nullable=True,
        comment="credit.night.quality_results.ExpectationRecord list: every expectation of the file's suite"))
    op.create_table(
        "quality_results",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, comment="the expectation's place in the suite"),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("expectation", sa.Text(), nullable=False, comment="GX expectation type"),
        sa.Column("column_name", sa.Text(), nullable=True),
        sa.Column("kwargs", postgresql.JSONB(), nullable=False, comment="the expectation's kwargs (no batch id)"),
        sa.Column("critical", sa.Boolean(), nullable=False, comment="judges the whole file (else holds back rows)"),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("element_count", sa.BigInteger(), nullable=True),
        sa.Column("unexpected_count", sa.BigInteger(), nullable=True),
        sa.Column("unexpected_percent", sa.Float(), nullable=True),
        sa.Column("missing_count", sa.BigInteger(), nullable=True),
        sa.Column("observed_value", postgresql.JSONB(), nullable=True,
                  comment="what an aggregate expectation measured (e.g. a proportion)"),
        sa.PrimaryKeyConstraint("night", "file", "seq"),
        comment="Great Expectations results of every published night, one row per expectation and file",
    )
    op.create_index("ix_quality_results_source", "quality_results", ["source", "expectation", "column_name", "night"])
    op.execute("""
    create or replace function quality_results_append_only() returns trigger language plpgsql as $fn$
    begin
        raise exception 'quality_results is append-only (the results of a published night do not change)';
    end $fn$;
    create trigger quality_results_append_only before update or delete on quality_results
        for each row execute function quality_results_append_only();
    """)
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    op.drop_table("quality_results")
    op.execute("drop function if exists quality_results_append_only()")
    op.drop_column("night_staging_files", "expectations")
