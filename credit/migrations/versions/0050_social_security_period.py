"""An index on ``social_security(period)``: the month's move of the grading window reads one month's rows.

Revision ID: 0050_social_security_period
Revises: 0049_writer_truncates_staging

On the first night of a month the incremental scope brings the entities whose social-security
periods left grading.yaml's ``social_security_months`` window or reached the night's month
(``time:social_security_month``, ``sql/night/scope_incremental.sql``; domain.md §11). The table's
only keys were ``(uscc, period)`` and ``last_night``, so that look-up read the whole table: at
100,000 entities with three years of monthly periods (1,267,984 rows, 14,409 pages), EXPLAIN
(ANALYZE, BUFFERS) of the look-up for one month gave a parallel sequential scan of every page,
175 ms, shared hit=14409. PostgreSQL 18's skip scan of the primary key (forced, sequential scans
off) read the whole index instead: 9,732 pages, 514 ms. With this index: a bitmap scan of the one
month, 435 pages (33 of the index, 402 of the table), 31 ms. The index is 1,079 pages (period
values repeat: B-tree deduplication); ``(period, uscc)`` for an index-only scan was 7,701 pages
and no faster (61 ms: the visibility map of a table merged every night is not all-visible).

The nights merge the source by its key; the index costs one entry per new period row.

It follows 0051 (merged before it; 0049 was not yet there when it was written): one head.
"""

from alembic import op

revision = "0050_social_security_period"
down_revision = "0049_writer_truncates_staging"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_social_security_period", "social_security", ["period"])


def downgrade() -> None:
    op.drop_index("ix_social_security_period", table_name="social_security")
