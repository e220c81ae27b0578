"""the cure of each abnormal-roster cause, as reference data.

Revision ID: 0007_cure_kinds
Revises: 0006_rosters_fixes

Which finding of the bureau establishes (查实) the cure of an abnormal-roster cause was written
in four places (three SQL ``case`` expressions and an unused Python mapping). It is one fact of
the rules (domain.md §3.1, §3.3; 68号令 arts. 11–14), so it is one table: every query that asks
"is this cause cured?" joins it.

- ``cause_code``: the roster cause (a cause of ``roster_decisions``);
- ``finding_kind``: the finding (``findings.kind``) that establishes the cause, where one does;
- ``cure_kind``: the finding that establishes its cure.
Cause 1 (annual report missing) is cured by filing the report, not by a finding: no row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_cure_kinds"
down_revision = "0006_rosters_fixes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "cure_kinds",
        sa.Column("cause_code", sa.Text(), primary_key=True, comment="abnormal-roster cause"),
        sa.Column("finding_kind", sa.Text(), nullable=False, unique=True,
                  comment="the finding that establishes the cause"),
        sa.Column("cure_kind", sa.Text(), nullable=False, comment="the finding that establishes its cure (查实)"),
        comment="Which finding cures which abnormal-roster cause (domain.md §3.3); reference data",
    )
    op.bulk_insert(table, [
        {"cause_code": "instant_info_not_disclosed", "finding_kind": "ordered_disclosure_overdue",
         "cure_kind": "ordered_disclosure_done"},
        {"cause_code": "false_disclosure", "finding_kind": "false_disclosure", "cure_kind": "disclosure_corrected"},
        {"cause_code": "unreachable", "finding_kind": "unreachable_address", "cure_kind": "contact_restored"},
    ])


def downgrade() -> None:
    op.drop_table("cure_kinds")
