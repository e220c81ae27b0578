"""double-random inspection plans, draws and assignments.

Revision ID: 0004_draws
Revises: 0003_grading
"""

revision = "0004_draws"
down_revision = "0003_grading"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
