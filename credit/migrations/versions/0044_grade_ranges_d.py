"""The tier-D grade ranges indexed on their own: the scope's relatives after a full night (issue 11).

Revision ID: 0044_grade_ranges_d
Revises: 0043_quarantine_ascii_keys

An incremental night's scope takes in the entities related, through their legal representative,
to an entity whose tier D began or ended on the previous graded night
(``sql/night/scope_relatives.sql``: ``grade = 'D' and (valid_from = :prev_graded or valid_to =
:prev_graded)``). After a full night every range in force began on that night, so
``grade_ranges(valid_from)`` (migration 0030) selects all of them and the planner reads the whole
table instead: on the 1 M night 2 (the first incremental night after the first night; 899,008
ranges, 1,558 of them D) a sequential scan of the 260 MB table, 0.35–0.40 s warm, of the
statement's 0.56–0.86 s (0.98 s in the night's statement log). A partial index of the D ranges
alone (by ``valid_from``) holds a few thousand entries (32 kB at 1 M): the same statement reads
the D ranges through it in 5–17 ms and takes 0.31–0.48 s (EXPLAIN ANALYZE on a copy of the night,
a scope of 5,677 entities, the same 2,148 relatives added; a shared 2-core machine at load ~3).
Inside the benchmark's night 2 itself (a fresh copy, the server just started, so its buffers
are cold) the D ranges take 31 ms through it and what is left of the statement is its probes of
``registration`` and ``registration_history`` by USCC and of ``registration(legal_rep_hash)``,
7,185 each at 0.09–0.12 ms read from outside the server's buffers (2.26 s under EXPLAIN ANALYZE
at load 4): those follow the scope, and are not this index's to cut.

What it costs: a first night builds the table's indexes after its load
(:func:`credit.bulk.load_then_index`), this one with them: building it reads the whole table,
0.50–0.55 s on the 1 M table (three builds measured; a full index on ``valid_from`` takes 0.92 s),
against a first night of ~200 s. A later night keeps
it row by row, for the D rows it writes only.
"""

import sqlalchemy as sa
from alembic import op

revision = "0044_grade_ranges_d"
down_revision = "0043_quarantine_ascii_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_grade_ranges_d", "grade_ranges", ["valid_from"], postgresql_where=sa.text("grade = 'D'"))


def downgrade() -> None:
    op.drop_index("ix_grade_ranges_d", table_name="grade_ranges")
