"""Entity store: the sources' current state and history, quarantine, and the record of nights.

Revision ID: 0001_store
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_store"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "night_runs",
        sa.Column("night", sa.Date(), primary_key=True),
        sa.Column("manifest_digest", sa.Text(), nullable=False),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", postgresql.JSONB(), nullable=False),
        comment="One row per published night: its input snapshot, config version and summary",
    )
    op.create_table(
        "file_loads",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("mode", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("rows_in", sa.BigInteger(), nullable=False),
        sa.Column("accepted", sa.BigInteger(), nullable=False),
        sa.Column("quarantined", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("night", "file"),
        sa.CheckConstraint("rows_in = accepted + quarantined", name="rows_add_up"),
        comment="Per file and night: input rows = accepted + quarantined, enforced by the database",
    )
    op.create_table(
        "quarantine",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("line", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("night", "file", "line"),
        comment="Rejected rows with the raw row, the file, the line and a reason a clerk can read",
    )
    op.create_table(
        "registration",
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("entity_kind", sa.Text(), nullable=False),
        sa.Column("legal_form", sa.Text(), nullable=True),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("industry_code", sa.Text(), nullable=True),
        sa.Column("registered_capital", sa.Numeric(18, 2), nullable=True),
        sa.Column("established_on", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("legal_rep_hash", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('uscc'),
        comment="登记: current state (contracts.md §1)",
    )
    op.create_table(
        "registration_history",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text()),
        sa.Column("name", sa.Text()),
        sa.Column("entity_kind", sa.Text()),
        sa.Column("legal_form", sa.Text()),
        sa.Column("region_code", sa.Text()),
        sa.Column("industry_code", sa.Text()),
        sa.Column("registered_capital", sa.Numeric(18, 2)),
        sa.Column("established_on", sa.Date()),
        sa.Column("status", sa.Text()),
        sa.Column("status_on", sa.Date()),
        sa.Column("address", sa.Text()),
        sa.Column("legal_rep_hash", sa.Text()),
        sa.Column("updated_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("night", 'uscc'),
        comment="登记: every change with the night that brought it (new / changed / dropped)",
    )
    op.create_table(
        "annual_reports",
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("report_year", sa.BigInteger(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("employees", sa.BigInteger(), nullable=True),
        sa.Column("revenue", sa.Numeric(18, 2), nullable=True),
        sa.Column("total_tax", sa.Numeric(18, 2), nullable=True),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('uscc', 'report_year'),
        comment="年报: current state (contracts.md §1)",
    )
    op.create_table(
        "annual_reports_history",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text()),
        sa.Column("report_year", sa.BigInteger()),
        sa.Column("filed_on", sa.Date()),
        sa.Column("employees", sa.BigInteger()),
        sa.Column("revenue", sa.Numeric(18, 2)),
        sa.Column("total_tax", sa.Numeric(18, 2)),
        sa.PrimaryKeyConstraint("night", 'uscc', 'report_year'),
        comment="年报: every change with the night that brought it (new / changed / dropped)",
    )
    op.create_table(
        "tax",
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("assessed_year", sa.BigInteger(), nullable=False),
        sa.Column("tax_credit_grade", sa.Text(), nullable=True),
        sa.Column("abnormal_taxpayer_since", sa.Date(), nullable=True),
        sa.Column("arrears", sa.Numeric(18, 2), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('uscc', 'assessed_year'),
        comment="纳税: current state (contracts.md §1)",
    )
    op.create_table(
        "tax_history",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text()),
        sa.Column("assessed_year", sa.BigInteger()),
        sa.Column("tax_credit_grade", sa.Text()),
        sa.Column("abnormal_taxpayer_since", sa.Date()),
        sa.Column("arrears", sa.Numeric(18, 2)),
        sa.Column("updated_on", sa.Date()),
        sa.PrimaryKeyConstraint("night", 'uscc', 'assessed_year'),
        comment="纳税: every change with the night that brought it (new / changed / dropped)",
    )
    op.create_table(
        "social_security",
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("insured_count", sa.BigInteger(), nullable=True),
        sa.Column("arrears", sa.Numeric(18, 2), nullable=True),
        sa.Column("arrears_months", sa.BigInteger(), nullable=True),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('uscc', 'period'),
        comment="社保: current state (contracts.md §1)",
    )
    op.create_table(
        "penalties",
        sa.Column("case_no", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("doc_no", sa.Text(), nullable=True),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("measures", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("fine_amount", sa.Numeric(18, 2), nullable=True),
        sa.Column("heavier", sa.Boolean(), nullable=False),
        sa.Column("fulfilled_on", sa.Date(), nullable=True),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('case_no'),
        comment="行政处罚: current state (contracts.md §1)",
    )
    op.create_index("ix_penalties_uscc", "penalties", ["uscc"])
    op.create_table(
        "penalties_history",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("case_no", sa.Text()),
        sa.Column("uscc", sa.Text()),
        sa.Column("decided_on", sa.Date()),
        sa.Column("doc_no", sa.Text()),
        sa.Column("category", sa.Text()),
        sa.Column("measures", postgresql.ARRAY(sa.Text())),
        sa.Column("fine_amount", sa.Numeric(18, 2)),
        sa.Column("heavier", sa.Boolean()),
        sa.Column("fulfilled_on", sa.Date()),
        sa.PrimaryKeyConstraint("night", 'case_no'),
        comment="行政处罚: every change with the night that brought it (new / changed / dropped)",
    )
    op.create_table(
        "findings",
        sa.Column("finding_id", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("doc_no", sa.Text(), nullable=True),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('finding_id'),
        comment="核查结果: current state (contracts.md §1)",
    )
    op.create_index("ix_findings_uscc", "findings", ["uscc"])
    op.create_table(
        "findings_history",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("finding_id", sa.Text()),
        sa.Column("uscc", sa.Text()),
        sa.Column("kind", sa.Text()),
        sa.Column("found_on", sa.Date()),
        sa.Column("doc_no", sa.Text()),
        sa.Column("department", sa.Text()),
        sa.PrimaryKeyConstraint("night", 'finding_id'),
        comment="核查结果: every change with the night that brought it (new / changed / dropped)",
    )
    op.create_table(
        "inspection_results",
        sa.Column("task_id", sa.Text(), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("result_code", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("inspector_ids", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("doc_no", sa.Text(), nullable=True),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('task_id', 'uscc'),
        comment="抽查检查结果: current state (contracts.md §1)",
    )
    op.create_index("ix_inspection_results_uscc", "inspection_results", ["uscc"])
    op.create_table(
        "inspection_results_history",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("task_id", sa.Text()),
        sa.Column("uscc", sa.Text()),
        sa.Column("inspected_on", sa.Date()),
        sa.Column("result_code", sa.Text()),
        sa.Column("result", sa.Text()),
        sa.Column("inspector_ids", postgresql.ARRAY(sa.Text())),
        sa.Column("doc_no", sa.Text()),
        sa.PrimaryKeyConstraint("night", 'task_id', 'uscc'),
        comment="抽查检查结果: every change with the night that brought it (new / changed / dropped)",
    )
    op.create_table(
        "inspectors",
        sa.Column("inspector_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("fields", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("conflicts", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('inspector_id'),
        comment="执法检查人员: current state (contracts.md §1)",
    )
    op.create_table(
        "inspectors_history",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("inspector_id", sa.Text()),
        sa.Column("name", sa.Text()),
        sa.Column("department", sa.Text()),
        sa.Column("region_code", sa.Text()),
        sa.Column("fields", postgresql.ARRAY(sa.Text())),
        sa.Column("active", sa.Boolean()),
        sa.Column("conflicts", postgresql.ARRAY(sa.Text())),
        sa.PrimaryKeyConstraint("night", 'inspector_id'),
        comment="执法检查人员: every change with the night that brought it (new / changed / dropped)",
    )


def downgrade() -> None:
    for name in ("inspectors", "inspection_results", "findings", "penalties", "social_security", "tax",
                 "annual_reports", "registration"):
        op.execute(f"drop table if exists {name}_history")
        op.drop_table(name)
    op.drop_table("quarantine")
    op.drop_table("file_loads")
    op.drop_table("night_runs")
