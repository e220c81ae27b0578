"""An entity's 双告知 notices read by its USCC.

Revision ID: 0051_notices_by_entity
Revises: 0050_social_security_period

The public page of an entity now tells the applicant which licences its registration needs (the
applicant's half of 双告知, domain.md §11; :mod:`credit.notices.letters`), from the notices its
registration events produced. ``notices`` was indexed by night and department only (the
departments' half): one entity's notices were a scan of the whole table. This index makes it one
probe (issue 11: a look-up touches one entity's rows through an index).
"""

from alembic import op

revision = "0051_notices_by_entity"
down_revision = "0050_social_security_period"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_notices_uscc_night", "notices", ["uscc", "night"])


def downgrade() -> None:
    op.drop_index("ix_notices_uscc_night", table_name="notices")
