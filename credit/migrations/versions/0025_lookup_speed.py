"""bulk screening as one indexed join: the screened entities drive probes of roster_decisions(uscc, seq).

Revision ID: 0025_lookup_speed
Revises: 0017_partition_results

Province scale (issue 11: "bulk screening of 10,000 USCCs is one indexed join"). The per-entity
fold ``roster_entry_detail_known_of(us, d, k)`` (migration 0015, also behind
``roster_entry_detail_of``) filtered the log with ``uscc = any(us)``: for 10,000 codes the planner
estimated a quarter of the log and scanned all of it (measured at 200,000 entities: a Seq Scan
of ``roster_decisions``, 70 ms of the statement's 115 ms, growing with the log). Now the asked
codes are a join source (``unnest``, duplicates dropped) and each one reaches its inclusions
through a lateral subquery that PostgreSQL cannot flatten (``offset 0``): a nested loop of
index probes of ``roster_decisions(uscc, seq)`` whatever the planner estimates, then per entry
the probes of ``roster_decisions(entry_id)`` as before. The result is the same rows.

No table is added, so no grants change (``credit_grant_roles`` is not needed).
"""

from alembic import op

revision = "0025_lookup_speed"
down_revision = "0017_partition_results"
branch_labels = None
depends_on = None

DETAIL_COLUMNS = """entry_id bigint, uscc text, roster text, cause_code text, cause text, basis text,
                   rule_id text, included_on date, decision_no text, authority text, authority_name text,
                   state text, removed_on date, removal_reason text, removal_no text, removal_action text,
                   removal_request bigint, effective_until date"""

# Per entry: its latest correction and its first close (remove or revoke), as of d and known by k.
PER_ENTRY = """
          left join lateral (
              select c.cause_code, c.cause, c.basis from roster_decisions as c
               where c.entry_id = i.entry_id and c.action = 'correct' and c.decision_date <= d
                 and (k is null or c.seq <= k)
               order by c.decision_date desc, c.seq desc limit 1) as corr on true
          left join lateral (
              select c.decision_date, c.reason, c.decision_no, c.action, c.request_id from roster_decisions as c
               where c.entry_id = i.entry_id and c.action in ('remove', 'revoke') and c.decision_date <= d
                 and (k is null or c.seq <= k)
               order by c.decision_date, c.seq limit 1) as clo on true"""

SELECT = """
        select i.entry_id, i.uscc, i.roster,
               coalesce(corr.cause_code, i.cause_code), coalesce(corr.cause, i.cause), coalesce(corr.basis, i.basis),
               i.rule_id, i.decision_date, i.decision_no, i.authority, i.authority_name,
               case when clo.decision_date is null then 'listed' else 'removed' end,
               clo.decision_date, clo.reason, clo.decision_no, clo.action, clo.request_id, i.effective_until"""

INDEXED = f"""{SELECT}
          from (select distinct a.uscc from unnest(us) as a(uscc)) as asked
         cross join lateral (
              -- offset 0: not flattened into a join the planner could hash over a scan of the log
              select r.* from roster_decisions as r
               where r.uscc = asked.uscc and r.action in ('include', 'escalate') and r.decision_date <= d
                 and (k is null or r.seq <= k)
              offset 0) as i{PER_ENTRY}
"""

FILTERED = f"""{SELECT}
          from roster_decisions as i{PER_ENTRY}
         where i.uscc = any(us) and i.action in ('include', 'escalate') and i.decision_date <= d
           and (k is null or i.seq <= k)
"""


def _function(body: str) -> str:
    return f"""
    create or replace function roster_entry_detail_known_of(us text[], d date, k bigint)
    returns table ({DETAIL_COLUMNS})
    language sql stable as $${body}$$;
    """


def upgrade() -> None:
    op.execute(_function(INDEXED))


def downgrade() -> None:
    op.execute(_function(FILTERED))
