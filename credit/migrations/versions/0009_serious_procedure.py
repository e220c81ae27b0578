"""optional penalty columns; the serious list's procedure steps in the decision log.

Revision ID: 0009_serious_procedure
Revises: 0008_bank_credit_notices

Penalties (contracts.md §1, optional since issue 13): ``restricted_until``, the day a restriction
of business, suspension or practice ban ends (domain.md §4: a restriction longer than the
listing period extends it and blocks early removal), and ``revoked_on``, the day the penalty
decision was revoked, changed or held void (45号令 art. 11, domain.md §6). Both nullable, in the
current table and its history: rows of older drops simply have no value.

The decision log learns the steps of the serious-list procedure (domain.md §4, 44号令 arts. 2,
12; 行政处罚法 arts. 63–64): ``proposal`` (拟列入, with the facts), ``assess`` (the officer's
art. 12 assessment), ``consent`` (the next-higher bureau's consent for county- and city-level
authorities), ``decline`` (不予列入, a numbered decision served on the party) and ``publish``
(公示 of a listing). ``notice`` (告知) and ``include`` (the listing) exist already. A step acts on
an earlier decision (``refers_to``); a revocation may now act on a pending proposal, which has
no entry yet.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_serious_procedure"
down_revision = "0008_bank_credit_notices"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
ACTIONS = ("include", "escalate", "remove", "revoke", "correct", "notice", "refuse", "propose", "reject",
           "proposal", "assess", "consent", "decline", "publish")
OLD_ACTIONS = ACTIONS[:9]
# Actions that issue a document addressed to the party and therefore take a 文号.
NUMBERED = ("include", "escalate", "remove", "revoke", "correct", "notice", "refuse", "decline")
OLD_NUMBERED = NUMBERED[:7]


def _in(values: tuple[str, ...]) -> str:
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


def _chain_function(numbered: tuple[str, ...]) -> str:
    # The body of 0002_rosters' trigger function, with the numbered actions as a parameter.
    return f"""
    create or replace function roster_decisions_before_insert() returns trigger language plpgsql as $$
    declare
        last_seq bigint;
        last_hash text;
    begin
        perform pg_advisory_xact_lock(4270002);
        select d.seq, d.row_hash into last_seq, last_hash from roster_decisions d order by d.seq desc limit 1;
        new.seq := coalesce(last_seq, 0) + 1;
        if new.action in ('include', 'escalate') and new.entry_id is null then
            new.entry_id := new.seq;
        end if;
        if new.action in {_in(numbered)} and new.decision_no is null then
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
    """


def upgrade() -> None:
    for table in ("penalties", "penalties_history"):
        op.add_column(table, sa.Column("restricted_until", sa.Date(), nullable=True,
                                       comment="end of a restriction, suspension or practice ban (optional column)"))
        op.add_column(table, sa.Column("revoked_on", sa.Date(), nullable=True,
                                       comment="day the penalty decision was revoked, changed or held void (optional)"))
    op.drop_constraint("action_known", "roster_decisions", type_="check")
    op.create_check_constraint("action_known", "roster_decisions", f"action in {_in(ACTIONS)}")
    op.drop_constraint("acts_on_something", "roster_decisions", type_="check")
    op.create_check_constraint(
        "acts_on_something", "roster_decisions",
        "action in ('include','escalate','propose','notice','reject','proposal') or entry_id is not null "
        "or request_id is not null or refers_to is not null")
    op.execute(_chain_function(NUMBERED))


def downgrade() -> None:
    op.execute(_chain_function(OLD_NUMBERED))
    op.drop_constraint("acts_on_something", "roster_decisions", type_="check")
    op.create_check_constraint(
        "acts_on_something", "roster_decisions",
        "action in ('include','escalate','propose','notice','reject') or entry_id is not null "
        "or request_id is not null")
    op.drop_constraint("action_known", "roster_decisions", type_="check")
    op.create_check_constraint("action_known", "roster_decisions", f"action in {_in(OLD_ACTIONS)}")
    for table in ("penalties", "penalties_history"):
        op.drop_column(table, "revoked_on")
        op.drop_column(table, "restricted_until")
