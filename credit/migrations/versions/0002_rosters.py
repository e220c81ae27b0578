"""decision log of the abnormal roster and the serious list.

Revision ID: 0002_rosters
Revises: 0001_store
"""

revision = "0002_rosters"
down_revision = "0001_store"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
