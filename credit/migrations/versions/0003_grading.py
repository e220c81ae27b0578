"""credit-risk grades, reasons and transitions (企业信用风险分类, domain.md §7).

Revision ID: 0003_grading
Revises: 0002_rosters

``grades`` keeps one row per graded entity per night, for every night (history is the point:
an applicant may ask what tier they had on a given day). ``grade_transitions`` counts the
movements between the previous graded night and this one; ``grading_runs`` is one row per
night with the distribution, the Great Expectations warnings and the configuration in force.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_grading"
down_revision = "0002_rosters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grades",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("grade", sa.CHAR(1), nullable=False),
        sa.Column("score", sa.Numeric(), nullable=False),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("night", "uscc"),
        sa.CheckConstraint("grade in ('A','B','C','D')", name="grade_is_a_tier"),
        sa.CheckConstraint("jsonb_typeof(reasons) = 'array' and jsonb_array_length(reasons) > 0",
                           name="every_grade_has_a_reason"),
        comment="信用风险分类: one tier per operating entity per night, with its ordered reasons",
    )
    # grade_of(uscc, as_of) looks up the latest night on or before a date for one entity.
    op.create_index("ix_grades_uscc_night", "grades", ["uscc", "night"])
    op.create_table(
        "grade_transitions",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("from_grade", sa.Text(), nullable=False),
        sa.Column("to_grade", sa.Text(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("night", "from_grade", "to_grade"),
        comment="Tier movements from the previous graded night; '-' = not graded that night (new or left)",
    )
    op.create_table(
        "grading_runs",
        sa.Column("night", sa.Date(), primary_key=True),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("graded", sa.BigInteger(), nullable=False),
        sa.Column("distribution", postgresql.JSONB(), nullable=False),
        sa.Column("warnings", postgresql.JSONB(), nullable=False),
        sa.Column("config", postgresql.JSONB(), nullable=True),
        comment="One row per graded night: counts per tier, distribution-check warnings, config used",
    )


def downgrade() -> None:
    op.drop_table("grading_runs")
    op.drop_table("grade_transitions")
    op.drop_index("ix_grades_uscc_night", table_name="grades")
    op.drop_table("grades")
