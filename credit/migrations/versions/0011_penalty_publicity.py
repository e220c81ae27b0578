"""penalty-information publicity, its repair, and the log as known after a night.

Revision ID: 0011_penalty_publicity
Revises: 0010_authorities_remedy

- ``penalty_publicity``: the publicity window of every penalty (行政处罚信息公示, domain.md §5.1,
  §6) as each night computed it: the class under the rules in force on the decision date, the
  start, the earliest repair date, the automatic end and a withdrawal after the decision was
  revoked (45号令 art. 11). A night adds a row only when a case's window changed, so the table
  is append-only and "as known after night K" is the latest row with ``night <= K``.
- ``roster_requests.case_no``: the penalty an application for repair of penalty information is
  about (``roster = 'penalty'``).
- ``roster_decisions.roster`` also takes ``penalty``: the bureau's decisions on such applications
  (信用修复: stop publishing, or refuse) are decisions of the one hash-chained log.
- ``roster_entry_detail_known(d, k)``: the fold of ``roster_entry_detail_as_of(d)`` over the log's
  prefix ``seq <= k`` (``k`` null = the whole log): the rosters as recorded at the end of a night
  (record time beside legal time).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_penalty_publicity"
down_revision = "0010_authorities_remedy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "penalty_publicity",
        sa.Column("case_no", sa.Text(), nullable=False),
        sa.Column("night", sa.Date(), nullable=False, comment="the night that computed this window (record time)"),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("regime", sa.Text(), nullable=False, comment="publicity rules in force on the decision date"),
        sa.Column("class", sa.Text(), nullable=False,
                  comment="not_published / minor / general / serious (order 107) or short / standard (45号令)"),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("publicity_from", sa.Date(), nullable=True, comment="the day the publicity period runs from"),
        sa.Column("publicity_until", sa.Date(), nullable=True, comment="last day published (automatic end after it)"),
        sa.Column("repair_from", sa.Date(), nullable=True, comment="first day a repair application can succeed"),
        sa.Column("repair_note", sa.Text(), nullable=True, comment="why repair is not available (Chinese)"),
        sa.Column("revoked_on", sa.Date(), nullable=True, comment="penalty decision revoked, changed or void"),
        sa.Column("withdrawn_on", sa.Date(), nullable=True, comment="the night that withdrew the publicity"),
        sa.Column("withdraw_due", sa.Date(), nullable=True, comment="3 WD after the revocation (45号令 art. 11)"),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("case_no", "night"),
        comment="行政处罚信息公示期限 per case as each night computed it (append-only; domain.md §5.1, §6)",
    )
    op.create_index("ix_penalty_publicity_uscc", "penalty_publicity", ["uscc"])
    # roster_refuse_change() comes from 0002_rosters.
    op.execute("""
    create trigger penalty_publicity_append_only before update or delete on penalty_publicity
        for each row execute function roster_refuse_change();
    create trigger penalty_publicity_no_truncate before truncate on penalty_publicity
        for each statement execute function roster_refuse_change();
    """)
    op.add_column("roster_requests", sa.Column("case_no", sa.Text(), nullable=True,
                                               comment="roster 'penalty': the penalty whose publicity repair is applied for"))
    op.drop_constraint("roster_known", "roster_decisions", type_="check")
    op.create_check_constraint("roster_known", "roster_decisions",
                               "roster in ('abnormal','abnormal_status','serious','penalty')")
    op.execute("""
    create function roster_entry_detail_known(d date, k bigint)
    returns table (entry_id bigint, uscc text, roster text, cause_code text, cause text, basis text,
                   rule_id text, included_on date, decision_no text, authority text, authority_name text,
                   state text, removed_on date, removal_reason text, removal_no text, removal_action text,
                   removal_request bigint, effective_until date)
    language sql stable as $$
        with log as (
            select * from roster_decisions where k is null or seq <= k
        ), inc as (
            select * from log where action in ('include', 'escalate') and decision_date <= d
        ), corr as (
            select distinct on (c.entry_id) c.entry_id, c.cause_code, c.cause, c.basis
              from log c
             where c.action = 'correct' and c.decision_date <= d
             order by c.entry_id, c.decision_date desc, c.seq desc
        ), clo as (
            select distinct on (c.entry_id) c.entry_id, c.decision_date, c.reason, c.decision_no, c.action,
                   c.request_id
              from log c
             where c.action in ('remove', 'revoke') and c.decision_date <= d
             order by c.entry_id, c.decision_date, c.seq
        )
        select i.entry_id, i.uscc, i.roster,
               coalesce(corr.cause_code, i.cause_code), coalesce(corr.cause, i.cause), coalesce(corr.basis, i.basis),
               i.rule_id, i.decision_date, i.decision_no, i.authority, i.authority_name,
               case when clo.entry_id is null then 'listed' else 'removed' end,
               clo.decision_date, clo.reason, clo.decision_no, clo.action, clo.request_id, i.effective_until
          from inc i
          left join corr using (entry_id)
          left join clo using (entry_id)
    $$;
    """)


def downgrade() -> None:
    op.execute("drop function if exists roster_entry_detail_known(date, bigint)")
    op.drop_constraint("roster_known", "roster_decisions", type_="check")
    op.create_check_constraint("roster_known", "roster_decisions", "roster in ('abnormal','abnormal_status','serious')")
    op.drop_column("roster_requests", "case_no")
    op.drop_table("penalty_publicity")
