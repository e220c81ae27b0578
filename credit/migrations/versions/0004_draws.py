"""double-random inspection plans, draws and assignments.

Every table here is append-only (domain.md §8: redraws are logged, never overwritten): a trigger
refuses UPDATE, DELETE and TRUNCATE, so a draw, once recorded, can only be amended by a new
event row that cites the one it amends.

Revision ID: 0004_draws
Revises: 0003_grading
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_draws"
down_revision = "0003_grading"
branch_labels = None
depends_on = None

TABLES = ("draw_plans", "draw_pool_entities", "draw_pool_inspectors", "draw_runs",
          "draw_inspections", "draw_events")


def upgrade() -> None:
    op.create_table(
        "draw_plans",
        sa.Column("draw_id", sa.Text(), primary_key=True),
        sa.Column("matters", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("seed_commitment", sa.Text(), nullable=True),
        sa.Column("public_seed_source", sa.Text(), nullable=True),
        sa.Column("entity_pool_digest", sa.Text(), nullable=False),
        sa.Column("inspector_pool_digest", sa.Text(), nullable=False),
        sa.Column("grades_night", sa.Date(), nullable=True),
        sa.Column("rules", postgresql.JSONB(), nullable=False),
        sa.Column("strata", postgresql.JSONB(), nullable=False),
        sa.Column("public_plan", postgresql.JSONB(), nullable=False),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("seed_commitment is not null or public_seed_source is not null",
                           name="seed_is_committed"),
        sa.CheckConstraint("seed_commitment is null or seed_commitment ~ '^[0-9a-f]{64}$'",
                           name="seed_commitment_is_sha256_hex"),
        comment="抽查计划: a task fixed before its draw — matters, frozen pool digests, seed commitment, strata",
    )
    op.create_table(
        "draw_pool_entities",
        sa.Column("draw_id", sa.Text(), sa.ForeignKey("draw_plans.draw_id"), nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("stratum", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("section", sa.Text(), nullable=False),
        sa.Column("prev_inspectors", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("draw_id", "matter", "uscc"),
        comment="检查对象名录库 as frozen by a plan (the tier is the stratum; bureau-internal)",
    )
    op.create_table(
        "draw_pool_inspectors",
        sa.Column("draw_id", sa.Text(), sa.ForeignKey("draw_plans.draw_id"), nullable=False),
        sa.Column("inspector_id", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("fields", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("conflicts", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("draw_id", "inspector_id"),
        comment="执法检查人员名录库 as frozen by a plan (active inspectors only)",
    )
    op.create_table(
        "draw_runs",
        sa.Column("draw_id", sa.Text(), sa.ForeignKey("draw_plans.draw_id"), primary_key=True),
        sa.Column("seed", sa.Text(), nullable=False),
        sa.Column("public_record", postgresql.JSONB(), nullable=False),
        sa.Column("public_record_sha256", sa.Text(), nullable=False),
        sa.Column("full_record_sha256", sa.Text(), nullable=False),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        comment="抽取结果: the revealed seed and the public record; a plan is run once",
    )
    op.create_table(
        "draw_events",
        sa.Column("draw_id", sa.Text(), sa.ForeignKey("draw_runs.draw_id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("inspector_id", sa.Text(), nullable=True),
        sa.Column("amends_version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("outcome", postgresql.JSONB(), nullable=False),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("draw_id", "seq"),
        sa.CheckConstraint("kind in ('inspector_recused', 'entity_closed')", name="known_redraw_kind"),
        comment="重新抽取: each redraw, citing the inspection version it amends",
    )
    op.create_table(
        "draw_inspections",
        sa.Column("draw_id", sa.Text(), sa.ForeignKey("draw_runs.draw_id"), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("matters", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("strata", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("entity_key", sa.Text(), nullable=False),
        sa.Column("inspectors", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("draw_id", "uscc", "version"),
        sa.CheckConstraint("state in ('assigned', 'unstaffed', 'unscheduled', 'cancelled')", name="known_state"),
        # 行政处罚法 art. 42: an assigned inspection has at least two inspectors (the configured
        # minimum is checked in code; the database holds the statutory floor).
        sa.CheckConstraint("state <> 'assigned' or cardinality(inspectors) >= 2", name="two_inspectors"),
        # Only the draw itself writes version 0 without an event; every later version cites its event.
        sa.CheckConstraint("version = 0 or event_seq is not null", name="versions_cite_events"),
        comment="抽查检查任务: one row per inspection version; the current one has the highest version",
    )
    op.execute("""
        create function draws_append_only() returns trigger language plpgsql as $$
        begin
            raise exception 'table % is append-only: record a redraw event instead of %',
                tg_table_name, tg_op using errcode = 'P0001';
        end $$
    """)
    for t in TABLES:
        op.execute(f"create trigger {t}_append_only before update or delete on {t} "
                   "for each row execute function draws_append_only()")
        op.execute(f"create trigger {t}_no_truncate before truncate on {t} "
                   "for each statement execute function draws_append_only()")


def downgrade() -> None:
    for t in reversed(TABLES):
        op.execute(f"drop table if exists {t}")
    op.execute("drop function if exists draws_append_only()")
