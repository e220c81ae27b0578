"""anchors of the decision log's hash chain.

Revision ID: 0006_rosters_fixes
Revises: 0005_api

``roster_chain_anchors``: each night that decides records the head of the decision log
(seq, row_hash) it left behind. The table is append-only like the log. ``credit audit verify``
compares the log against every anchor, so deleting the last decisions (tail truncation) or
rewriting the whole chain consistently no longer passes: the anchored head is missing or its
hash differs.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_rosters_fixes"
down_revision = "0005_api"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_chain_anchors",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("night", sa.Date(), nullable=False, comment="the night whose decide step recorded the head"),
        sa.Column("seq", sa.BigInteger(), nullable=False, comment="seq of the log's last decision after that night"),
        sa.Column("row_hash", sa.Text(), nullable=False, comment="row_hash of that decision"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        comment="Heads of the roster decision log per night (append-only): evidence against truncation and rewrites",
    )
    op.create_index("ux_roster_chain_anchors_night_seq", "roster_chain_anchors", ["night", "seq"], unique=True)
    # roster_refuse_change() comes from 0002_rosters.
    op.execute("""
    create trigger roster_chain_anchors_append_only before update or delete on roster_chain_anchors
        for each row execute function roster_refuse_change();
    create trigger roster_chain_anchors_no_truncate before truncate on roster_chain_anchors
        for each statement execute function roster_refuse_change();
    """)


def downgrade() -> None:
    op.drop_table("roster_chain_anchors")
