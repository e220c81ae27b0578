"""credit-risk grades, reasons and transitions.

Revision ID: 0003_grading
Revises: 0002_rosters
"""

revision = "0003_grading"
down_revision = "0002_rosters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
