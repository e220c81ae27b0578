"""the workbench's reads: who decides a request, in one view; drafts by an index of their own.

Revision ID: 0037_workbench_reads
Revises: 0036_request_head

- ``request_authorities`` (view): the authority that decides each application for removal or
  objection (``roster_requests``): that of the decision objected to, else that of the entry's
  listing (its first inclusion or escalation), else the entity's registration area. The
  workbench's requests page, its count and the check before an officer decides a request read it,
  so the three can no longer derive it differently. A filter on ``request_id`` reaches the
  requests' primary key through the view.
- ``ix_roster_decisions_drafts``: the drafts waiting for an approver (``action = 'propose'``), in
  the order the drafts page lists them (due date, seq). Drafts are a handful of rows in a log of
  millions; without it every page of drafts read the whole log. The partial index costs the log's
  append nothing for the other actions.

The view is granted like every relation (``credit_grant_roles()``, migration 0013).
"""

import sqlalchemy as sa
from alembic import op

revision = "0037_workbench_reads"
down_revision = "0036_request_head"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
create view request_authorities as
select q.id as request_id, coalesce(t.authority, inc.authority, g.region_code) as authority
  from roster_requests as q
  left join roster_decisions as t on t.seq = q.target_seq
  left join lateral (select d.authority from roster_decisions as d
                      where d.entry_id = q.entry_id and d.action in ('include', 'escalate')
                      order by d.seq limit 1) as inc on true
  left join registration as g on g.uscc = q.uscc
""")
    op.create_index("ix_roster_decisions_drafts", "roster_decisions", ["due_date", "seq"],
                    postgresql_where=sa.text("action = 'propose'"))
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    op.drop_index("ix_roster_decisions_drafts", table_name="roster_decisions")
    op.execute("drop view request_authorities")
