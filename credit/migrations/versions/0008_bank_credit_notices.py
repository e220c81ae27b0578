"""bank credit (银行信用) in the store, and the 双告知 notices to licensing departments.

Revision ID: 0008_bank_credit_notices
Revises: 0007_cure_kinds

- ``bank_credit`` / ``bank_credit_history``: the banks' monthly credit facts per entity
  (contracts.md §1), current state and every change with its night, like the other sources.
  A risk signal for grading only (domain.md §11): nothing public reads these tables.
- ``notices``: one row per (licensing department, registration event) — a new registration in,
  or a change of industry into, an industry that needs that department's licence (双告知,
  domain.md §11). Append-only: the database refuses UPDATE and DELETE, and the unique
  ``(department, event_key)`` makes a notice impossible to produce twice for the same event.
  ``id`` is the cursor of the bureau's feed (``GET /v1/bureau/notices?after=``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_bank_credit_notices"
down_revision = "0007_cure_kinds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_credit",
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("lenders", sa.BigInteger(), nullable=True),
        sa.Column("loans_outstanding", sa.Numeric(18, 2), nullable=True),
        sa.Column("overdue_amount", sa.Numeric(18, 2), nullable=True),
        sa.Column("max_overdue_days", sa.BigInteger(), nullable=True),
        sa.Column("in_default", sa.Boolean(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "period"),
        comment="银行信用: current state (contracts.md §1); grading only, never published (domain.md §11)",
    )
    op.create_table(
        "bank_credit_history",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text()),
        sa.Column("period", sa.Text()),
        sa.Column("lenders", sa.BigInteger()),
        sa.Column("loans_outstanding", sa.Numeric(18, 2)),
        sa.Column("overdue_amount", sa.Numeric(18, 2)),
        sa.Column("max_overdue_days", sa.BigInteger()),
        sa.Column("in_default", sa.Boolean()),
        sa.Column("updated_on", sa.Date()),
        sa.PrimaryKeyConstraint("night", "uscc", "period"),
        comment="银行信用: every change with the night that brought it (new / changed / dropped)",
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True,
                  comment="the feed's cursor: ascending in production order"),
        sa.Column("night", sa.Date(), nullable=False, comment="the night that produced the notice"),
        sa.Column("produced_at", sa.DateTime(timezone=True), nullable=False,
                  comment="when the night produced it, on the bureau's clock (config/notices.yaml timezone)"),
        sa.Column("department", sa.Text(), nullable=False, comment="the licensing department told (许可部门)"),
        sa.Column("licence", sa.Text(), nullable=False, comment="the licence the entity needs (许可事项)"),
        sa.Column("event", sa.Text(), nullable=False, comment="registered | industry_changed"),
        sa.Column("event_key", sa.Text(), nullable=False, comment="the registration event, once per department"),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("entity_kind", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("industry_code", sa.Text(), nullable=False),
        sa.Column("previous_industry_code", sa.Text(), nullable=True),
        sa.Column("established_on", sa.Date(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("matched", sa.Text(), nullable=False, comment="the configured industry code or prefix that matched"),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.UniqueConstraint("department", "event_key", name="one_notice_per_event_and_department"),
        sa.CheckConstraint("event in ('registered', 'industry_changed')", name="notice_event_known"),
        comment="双告知: registrations pushed to licensing departments (domain.md §11); append-only",
    )
    op.create_index("ix_notices_night_department", "notices", ["night", "department"])
    op.execute("""
        create function notices_append_only() returns trigger language plpgsql as $$
        begin
            raise exception 'notices are append-only: % refused', tg_op;
        end $$""")
    op.execute("create trigger notices_append_only before update or delete on notices "
               "for each row execute function notices_append_only()")
    op.execute("create trigger notices_no_truncate before truncate on notices "
               "for each statement execute function notices_append_only()")


def downgrade() -> None:
    op.execute("drop trigger if exists notices_append_only on notices")
    op.execute("drop trigger if exists notices_no_truncate on notices")
    op.execute("drop function if exists notices_append_only()")
    op.drop_index("ix_notices_night_department", table_name="notices")
    op.drop_table("notices")
    op.drop_table("bank_credit_history")
    op.drop_table("bank_credit")
