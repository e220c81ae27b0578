"""the report's counts kept per night; indexes that let an incremental night find tonight's changes.

Revision ID: 0030_incremental_counts
Revises: 0028_bulk_chain

Issue 11, "a night costs what changed": measured on an incremental night at 200,000 entities, the
statements that still read whole tables were the report's crosstab of every grade by region and
industry section, the scope's look-ups by date and by legal representative, and grading's facts
of the night. This revision gives them what they need to go through indexes:

- ``grade_counts``: per graded night, the entities per region, industry section (GB/T 4754 门类)
  and tier, as the report shows them (``sql/grading/report_counts.sql``). A night stores its
  counts inside its transaction (:mod:`credit.grading.counts`): an incremental night derives them
  from the previous graded night's counts plus the entities whose grade range opened or closed
  tonight or whose registration changed since; a full night, or one after a night without counts
  (the nights before this revision), counts every grade. Only non-zero counts are stored.
- ``grade_ranges(valid_from)``, ``grade_ranges(valid_to)``: the ranges opened and closed on a
  night (the counts' changes; the scope's entities whose tier D began or ended).
- ``registration(legal_rep_hash)``: the entities behind a legal representative (the scope's
  relatives, grading's relations of a scoped night), one probe per representative.
- ``registration(established_on)``: the entities whose first year ends tonight.
- ``roster_decisions(decision_date)``: decisions dated in the night's window.
- ``social_security(last_night)``: the rows of this source kept without history changed tonight.
- ``findings(found_on)``, ``inspection_results(inspected_on)``, ``penalties``' dates: the facts whose
  dates (or look-back windows) fall in the night's window.
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_incremental_counts"
down_revision = "0028_bulk_chain"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_grade_ranges_valid_from", "grade_ranges", ["valid_from"], None),
    ("ix_grade_ranges_valid_to", "grade_ranges", ["valid_to"], "valid_to is not null"),
    ("ix_registration_legal_rep", "registration", ["legal_rep_hash"], None),
    ("ix_registration_established_on", "registration", ["established_on"], None),
    ("ix_roster_decisions_decision_date", "roster_decisions", ["decision_date"], None),
    ("ix_social_security_last_night", "social_security", ["last_night"], None),
    ("ix_findings_found_on", "findings", ["found_on"], None),
    ("ix_inspection_results_inspected_on", "inspection_results", ["inspected_on"], None),
    ("ix_penalties_decided_on", "penalties", ["decided_on"], None),
    ("ix_penalties_fulfilled_on", "penalties", ["fulfilled_on"], "fulfilled_on is not null"),
    ("ix_penalties_revoked_on", "penalties", ["revoked_on"], "revoked_on is not null"),
    ("ix_penalties_restricted_until", "penalties", ["restricted_until"], "restricted_until is not null"),
)


def upgrade() -> None:
    op.create_table(
        "grade_counts",
        sa.Column("night", sa.Date(), nullable=False, comment="the graded night"),
        sa.Column("region_code", sa.Text(), nullable=False, comment="GB/T 2260 code; 未知 when not registered"),
        sa.Column("section", sa.Text(), nullable=False,
                  comment="GB/T 4754 门类: the industry code's first letter; 未知 when none"),
        sa.Column("grade", sa.CHAR(1), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False, comment="entities of that region, section and tier"),
        sa.PrimaryKeyConstraint("night", "region_code", "section", "grade"),
        sa.CheckConstraint("grade in ('A','B','C','D')", name="count_grade_is_a_tier"),
        sa.CheckConstraint("n > 0", name="count_positive"),
        comment="每日信用风险分类报告: graded entities per night, region, industry section and tier",
    )
    for name, table, columns, where in INDEXES:
        op.create_index(name, table, columns, postgresql_where=sa.text(where) if where else None)
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("grade_counts")
