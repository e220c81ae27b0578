"""the decision log's fact keys through one index: steps of a procedure probed, not scanned.

Revision ID: 0022_roster_scope
Revises: 0017_partition_results

Province scale (issue 11). The serious-list procedures (``credit/sql/rosters/serious_procedures.sql``,
domain.md §4) find each step of a penalty case by its fact key (``<step>:penalties:<case_no>``).
The two unique indexes on ``fact_key`` (migration 0002) are partial (decisions, and drafts
``propose``), so a join on ``fact_key`` alone could use neither: the query materialised every
serious-list decision and compared each case with each of them (cases × decisions: 0.8 s at
200,000 entities with 474 cases, and every open procedure is in every night's scope). A plain
index on ``fact_key`` makes each step one probe.

No table is added, so no grants change (``credit_grant_roles`` is not needed).
"""

from alembic import op

revision = "0022_roster_scope"
down_revision = "0026_partitioned_storage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_roster_decisions_fact_key", "roster_decisions", ["fact_key"])


def downgrade() -> None:
    op.drop_index("ix_roster_decisions_fact_key", table_name="roster_decisions")
