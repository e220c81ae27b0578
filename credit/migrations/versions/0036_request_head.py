"""record time of the applications for "as known after night K" (contracts.md §2 ``--known-at``).

Revision ID: 0036_request_head
Revises: 0035_law_fixes

An application for removal (``roster_requests``) carries the date it reached the bureau
(``received_on``, legal time) but no record time, so "as known after night K" kept every
application received by K, even one a clerk recorded weeks later. Each night's anchor of the
decision log now also records the last application on record when the night anchored
(``roster_chain_anchors.request_id``: the highest ``roster_requests.id``, 0 when there was none);
an application is known after night K when its id is at most that, or when a decision on it is in
the log as known after K. Anchors written before this migration have none (NULL): for them the
received date stands in, as before. The anchors stay append-only; no table is added, so no
grants change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0036_request_head"
down_revision = "0035_law_fixes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("roster_chain_anchors", sa.Column(
        "request_id", sa.BigInteger(), nullable=True,
        comment="the last roster_requests id on record when the night anchored (0: none; NULL: before 0036)"))


def downgrade() -> None:
    op.drop_column("roster_chain_anchors", "request_id")
