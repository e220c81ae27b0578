"""No planner statistics for the wide columns no statement compares: a night's ANALYZE halves.

Revision ID: 0039_quiet_statistics
Revises: 0038_licensing_keys

A first night ANALYZEs the tables it filled, twice for the decision log (inside the night, so that
its later statements are planned on tonight's rows, and after the commit:
``credit.night.steps.refresh_statistics``). Most of that time went into the widest columns, whose
statistics no plan ever reads: the decision's facts (``jsonb``, 550 bytes on average at 1 M), its
legal basis text and its three SHA-256 hex digests, and a grade range's reasons (``jsonb``). The
statements read those columns or expressions over them (``facts ->> 'case_no'``), never a condition
on the columns themselves, and an expression's statistics come from an expression index, not from
its column. Measured on a 1 M database (three nights, 181,000 decisions, 904,000 grade ranges):
``analyze roster_decisions`` 3.9–4.1 s → 2.2 s, ``analyze grade_ranges`` 1.3 s → 0.5 s.

A statistics target of 0 makes ANALYZE skip the column; -1 (the downgrade) is the server's default.
"""

from alembic import op

revision = "0039_quiet_statistics"
down_revision = "0038_licensing_keys"
branch_labels = None
depends_on = None

QUIET = {
    "roster_decisions": ("facts", "basis", "content_hash", "prev_hash", "row_hash"),
    "grade_ranges": ("reasons",),
}


def _set(target: int) -> None:
    for table, columns in QUIET.items():
        op.execute(f"alter table {table} " + ", ".join(f"alter column {c} set statistics {target}" for c in columns))


def upgrade() -> None:
    _set(0)


def downgrade() -> None:
    _set(-1)
