"""decision log of the abnormal roster and the serious list.

Revision ID: 0002_rosters
Revises: 0001_store

One append-only table of decisions (``roster_decisions``) from which every roster state is
derived; one append-only table of what arrived at the counter (``roster_requests``: repair
applications and objections). The database itself refuses UPDATE, DELETE and TRUNCATE on both,
numbers the decisions (gap-free 文号 per authority and year) and chains them by SHA-256, so a
decision cannot be written without its place in the chain (``credit audit verify`` walks it).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_rosters"
down_revision = "0001_store"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

# Actions that issue a document and therefore take a 文号 (proposals and their rejection are
# internal working papers, not decisions addressed to the entity).
NUMBERED = "('include','escalate','remove','revoke','correct','notice','refuse')"


def upgrade() -> None:
    op.create_table(
        "roster_decisions",
        sa.Column("seq", sa.BigInteger(), primary_key=True,
                  comment="position in the log, assigned by the database (gap-free)"),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("roster", sa.Text(), nullable=False,
                  comment="abnormal 经营异常名录 / abnormal_status 个体工商户经营异常状态 / serious 严重违法失信名单"),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("proposed_action", sa.Text(), nullable=True, comment="for action=propose: what is proposed"),
        sa.Column("entry_id", sa.BigInteger(), nullable=True,
                  comment="seq of the include/escalate that opened the entry this decision acts on"),
        sa.Column("refers_to", sa.BigInteger(), nullable=True, comment="the earlier decision acted on"),
        sa.Column("request_id", sa.BigInteger(), nullable=True, comment="the application/objection decided"),
        sa.Column("cause_code", sa.Text(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False, comment="Chinese legal wording"),
        sa.Column("basis", sa.Text(), nullable=False, comment="regulation and article"),
        sa.Column("rule_id", sa.Text(), nullable=False),
        sa.Column("rule_version", sa.Text(), nullable=False),
        sa.Column("facts", postgresql.JSONB(), nullable=False, comment="the source rows the decision rests on"),
        sa.Column("fact_key", sa.Text(), nullable=True, comment="dedupe key: one decision per fact"),
        sa.Column("trigger_date", sa.Date(), nullable=True, comment="day the obligation fell due / fact established"),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True, comment="legal limit; NULL when the calendar is unknown"),
        sa.Column("due_provisional", sa.Date(), nullable=True,
                  comment="weekday-only estimate when the year's holiday notice is not published; never a deadline"),
        sa.Column("due_note", sa.Text(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("effective_until", sa.Date(), nullable=True,
                  comment="serious list: last day of the listing period (automatic removal the day after)"),
        sa.Column("reason", sa.Text(), nullable=True, comment="removal reason / note, Chinese wording"),
        sa.Column("authority", sa.Text(), nullable=False, comment="authority code (region code of the bureau)"),
        sa.Column("authority_name", sa.Text(), nullable=False),
        sa.Column("doc_prefix", sa.Text(), nullable=True),
        sa.Column("decision_no", sa.Text(), nullable=True, comment="文号"),
        sa.Column("doc_year", sa.Integer(), nullable=True),
        sa.Column("doc_seq", sa.Integer(), nullable=True),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("night", sa.Date(), nullable=True, comment="night run that decided; NULL for counter entries"),
        sa.Column("actor", sa.Text(), nullable=False, comment="'night' or the officer"),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.Text(), nullable=False),
        sa.Column("row_hash", sa.Text(), nullable=False),
        sa.CheckConstraint("roster in ('abnormal','abnormal_status','serious')", name="roster_known"),
        sa.CheckConstraint(
            "action in ('include','escalate','remove','revoke','correct','notice','refuse','propose','reject')",
            name="action_known"),
        sa.CheckConstraint("(action = 'propose') = (proposed_action is not null)", name="proposal_has_action"),
        sa.CheckConstraint("action in ('include','escalate','propose','notice','reject') or entry_id is not null "
                           "or request_id is not null", name="acts_on_something"),
        sa.CheckConstraint("due_date is null or due_provisional is null", name="one_kind_of_due"),
        comment="经营异常名录 / 严重违法失信名单: append-only log of decisions, hash-chained (domain.md §3, §4)",
    )
    op.create_index("ix_roster_decisions_uscc", "roster_decisions", ["uscc", "roster"])
    op.create_index("ix_roster_decisions_entry", "roster_decisions", ["entry_id"])
    op.create_index("ix_roster_decisions_request", "roster_decisions", ["request_id"])
    op.create_index("ix_roster_decisions_refers", "roster_decisions", ["refers_to"])
    op.create_index("ix_roster_decisions_doc", "roster_decisions", ["authority", "doc_year", "doc_seq"], unique=True,
                    postgresql_where=sa.text("doc_seq is not null"))
    # One decision per fact (and one proposal per fact): "no fact yields two inclusions" is the
    # database's promise, not only the night's.
    op.create_index("ux_roster_decisions_fact", "roster_decisions", ["fact_key"], unique=True,
                    postgresql_where=sa.text("fact_key is not null and action <> 'propose'"))
    op.create_index("ux_roster_proposals_fact", "roster_decisions", ["fact_key"], unique=True,
                    postgresql_where=sa.text("fact_key is not null and action = 'propose'"))

    op.create_table(
        "roster_requests",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("kind", sa.Text(), nullable=False, comment="repair 移出申请 / objection 异议"),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("roster", sa.Text(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=True, comment="the roster entry concerned"),
        sa.Column("target_seq", sa.BigInteger(), nullable=True, comment="the decision objected to"),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("rule_id", sa.Text(), nullable=False),
        sa.Column("rule_version", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True, comment="by when the bureau must decide (repair) / accept (objection)"),
        sa.Column("due_provisional", sa.Date(), nullable=True),
        sa.Column("due_note", sa.Text(), nullable=True),
        sa.Column("in_time", sa.Boolean(), nullable=True, comment="objection filed within its 30 days"),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.CheckConstraint("kind in ('repair','objection')", name="request_kind"),
        comment="Applications for removal (信用修复) and objections (异议) as a clerk recorded them",
    )
    op.create_index("ix_roster_requests_uscc", "roster_requests", ["uscc"])

    # -- append-only --------------------------------------------------------------------------
    op.execute("""
    create function roster_refuse_change() returns trigger language plpgsql as $$
    begin
        raise exception '% is append-only: decisions are corrected or revoked by a new decision, never edited (决定日志只能追加)',
            tg_table_name using errcode = 'insufficient_privilege';
    end $$;
    """)
    for table in ("roster_decisions", "roster_requests"):
        op.execute(f"""
        create trigger {table}_append_only before update or delete on {table}
            for each row execute function roster_refuse_change();
        create trigger {table}_no_truncate before truncate on {table}
            for each statement execute function roster_refuse_change();
        """)

    # -- canonical content and hash chain -------------------------------------------------------
    # jsonb's text form is deterministic (keys ordered, dates ISO), so the same row always yields
    # the same bytes; audit verify recomputes it with the same function.
    op.execute("""
    create function roster_decision_canonical(r roster_decisions) returns text
    language sql immutable as $$
        select jsonb_build_object(
            'seq', r.seq, 'uscc', r.uscc, 'roster', r.roster, 'action', r.action,
            'proposed_action', r.proposed_action, 'entry_id', r.entry_id, 'refers_to', r.refers_to,
            'request_id', r.request_id, 'cause_code', r.cause_code, 'cause', r.cause, 'basis', r.basis,
            'rule_id', r.rule_id, 'rule_version', r.rule_version, 'facts', r.facts, 'fact_key', r.fact_key,
            'trigger_date', r.trigger_date, 'decision_date', r.decision_date, 'due_date', r.due_date,
            'due_provisional', r.due_provisional, 'due_note', r.due_note, 'late', r.late,
            'effective_until', r.effective_until, 'reason', r.reason, 'authority', r.authority,
            'authority_name', r.authority_name, 'doc_prefix', r.doc_prefix, 'decision_no', r.decision_no,
            'doc_year', r.doc_year, 'doc_seq', r.doc_seq, 'config_version', r.config_version,
            'night', r.night, 'actor', r.actor)::text
    $$;
    """)
    op.execute(f"""
    create function roster_decisions_before_insert() returns trigger language plpgsql as $$
    declare
        last_seq bigint;
        last_hash text;
    begin
        -- One writer at a time: seq, 文号 and the chain are each "previous + 1".
        perform pg_advisory_xact_lock(4270002);
        select d.seq, d.row_hash into last_seq, last_hash from roster_decisions d order by d.seq desc limit 1;
        new.seq := coalesce(last_seq, 0) + 1;
        if new.action in ('include', 'escalate') and new.entry_id is null then
            new.entry_id := new.seq;
        end if;
        if new.action in {NUMBERED} and new.decision_no is null then
            -- 文号: gap-free per authority and year of the decision date.
            new.doc_year := extract(year from new.decision_date)::int;
            select coalesce(max(d.doc_seq), 0) + 1 into new.doc_seq
              from roster_decisions d where d.authority = new.authority and d.doc_year = new.doc_year;
            new.decision_no := coalesce(new.doc_prefix, new.authority) || '〔' || new.doc_year || '〕'
                               || new.doc_seq || '号';
        elsif new.decision_no is null then
            new.doc_year := null;
            new.doc_seq := null;
        end if;
        new.late := new.due_date is not null and new.decision_date > new.due_date;
        new.prev_hash := coalesce(last_hash, '{GENESIS}');
        new.content_hash := encode(sha256(convert_to(roster_decision_canonical(new), 'UTF8')), 'hex');
        new.row_hash := encode(sha256(convert_to(new.prev_hash || new.content_hash, 'UTF8')), 'hex');
        return new;
    end $$;
    create trigger roster_decisions_chain before insert on roster_decisions
        for each row execute function roster_decisions_before_insert();
    """)

    # -- state derived from the log -------------------------------------------------------------
    op.execute("""
    create function roster_entry_detail_as_of(d date)
    returns table (entry_id bigint, uscc text, roster text, cause_code text, cause text, basis text,
                   rule_id text, included_on date, decision_no text, authority text, authority_name text,
                   state text, removed_on date, removal_reason text, removal_no text, removal_action text,
                   removal_request bigint, effective_until date)
    language sql stable as $$
        with inc as (
            select * from roster_decisions where action in ('include', 'escalate') and decision_date <= d
        ), corr as (
            select distinct on (c.entry_id) c.entry_id, c.cause_code, c.cause, c.basis
              from roster_decisions c
             where c.action = 'correct' and c.decision_date <= d
             order by c.entry_id, c.decision_date desc, c.seq desc
        ), clo as (
            select distinct on (c.entry_id) c.entry_id, c.decision_date, c.reason, c.decision_no, c.action,
                   c.request_id
              from roster_decisions c
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
    create function roster_entries_as_of(d date)
    returns table (uscc text, roster text, cause_code text, included_on date, decision_no text, state text,
                   removed_on date)
    language sql stable as $$
        select uscc, roster, cause_code, included_on, decision_no, state, removed_on
          from roster_entry_detail_as_of(d)
    $$;
    """)


def downgrade() -> None:
    op.execute("drop function if exists roster_entries_as_of(date)")
    op.execute("drop function if exists roster_entry_detail_as_of(date)")
    op.execute("drop trigger if exists roster_decisions_chain on roster_decisions")
    op.execute("drop function if exists roster_decisions_before_insert()")
    op.execute("drop function if exists roster_decision_canonical(roster_decisions)")
    op.drop_table("roster_requests")
    op.drop_table("roster_decisions")
    op.execute("drop function if exists roster_refuse_change()")
