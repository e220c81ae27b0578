"""look-ups by index: an entity's registration history through (uscc, night).

Revision ID: 0021_lookup_indexes
Revises: 0019_quality_results

Province scale (issue 11). The entity look-up (``GET /v1/entities/{uscc}``) asks, for an entry of
causes 3 and 4, when its cure was established (查实, domain.md §3.3): the view ``cure_events``
(migration 0010) over the curing findings and the address changes of ``registration_history``.
``credit/sql/rosters/cure_established.sql`` keeps the entity's USCC a parameter of the view, so
PostgreSQL pushes it below the view's window (partitioned by uscc) to an index on uscc. The
findings have one (``ix_findings_uscc``, migration 0001); the registration history's primary key
is (night, uscc), which leads with the night: without this index one entity's history is a skip
scan over every night (one index descent per night, growing by one each night) or a scan of the
whole history (measured at 100,000 entities: up to 400 ms per look-up, 38 ms on average).

No table is added, so no grants change (``credit_grant_roles`` is not needed).
"""

from alembic import op

revision = "0021_lookup_indexes"
down_revision = "0019_quality_results"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_registration_history_uscc_night", "registration_history", ["uscc", "night"])


def downgrade() -> None:
    op.drop_index("ix_registration_history_uscc_night", table_name="registration_history")
