"""An entity-closed redraw records the entities it skipped because another live draw holds them.

Revision ID: 0047_redraw_skipped
Revises: 0046_grants_from_keywords

An ``entity_closed`` redraw replaces a closed enterprise with the next entity of its stratum in
the draw's frozen pool. An entity another draw, still live, drew since the plan could be that next
one and was then inspected twice (国办发〔2024〕54号 bans repeated checks, shared/domain.md §8).
The replacement now passes over such entities; which ones is a fact of the store at the redraw,
not of the frozen pool, so the event records them (``skipped``, in key order) and the redraw still
re-derives from the record alone. NULL: an event recorded before this rule (or a recusal, which
skips nothing), re-derived as it always was — the next entity by key.

Adding a nullable column writes no row: the table stays append-only (its triggers refuse UPDATE,
DELETE and TRUNCATE) and its grants are unchanged.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0047_redraw_skipped"
down_revision = "0046_grants_from_keywords"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("draw_events", sa.Column(
        "skipped", postgresql.ARRAY(sa.Text()), nullable=True,
        comment="entity_closed: the entities of the stratum passed over, in key order, because another "
                "live draw held them; NULL for events before migration 0047 and for recusals"))


def downgrade() -> None:
    op.drop_column("draw_events", "skipped")
