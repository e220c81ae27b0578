"""API keys, repair applications and screening certificates.

Revision ID: 0005_api
Revises: 0004_draws
"""

revision = "0005_api"
down_revision = "0004_draws"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
