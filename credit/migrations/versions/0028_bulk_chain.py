"""a night's decisions numbered and chained as a set, not by a trigger per row (issue 11).

Revision ID: 0028_bulk_chain
Revises: 0027_typed_staging

Measured at 200,000 entities (first night, 36,037 inclusions): appending the night's stage to
the decision log took 3.9 s of the rosters stage's 6.8 s, and 2.7 s of it was the per-row
trigger ``roster_decisions_before_insert`` (migration 0002, 0009): per row it takes the advisory
lock, reads the last seq and row hash, looks up the last 文号 of the authority and year, builds
the canonical row and hashes it twice.

``roster_decisions_append(order_by)`` does the same for the whole stage of
:class:`credit.rosters.log.DecisionStage` (the session's temporary ``_roster_new``) in one
INSERT … SELECT, under the same advisory lock (4270002): seq (last + position in ``order_by``),
the entry id of an include/escalate, the 文号 of a NUMBERED action without one (gap-free per
authority and year of the decision date: the last ``doc_seq`` of that authority and year + the
row's position among the stage's numbered rows of that authority and year, domain.md §3, §4),
``late``, the content hash (the text of ``roster_decision_canonical`` written out inline, see
:func:`_canonical_expr`; the first and last row appended are checked against the function
itself, and the append refused if they differ), and the chain as a window aggregate over the
content hashes in seq order (``roster_chain``: ``row_hash = sha256(prev_hash || content_hash)``).
The rows are byte for byte those the trigger gives when the stage is inserted in the same order
(``tests/db/rosters/test_bulk_chain.py``, with hypothesis), and ``credit audit verify`` walks
them like any other. Measured on the same 36,037 rows (backend CPU, a loaded machine): trigger
path 2.5 s, this function 1.6 s, the bare INSERT without any trigger 0.7 s.

The trigger stays for every other writer (officers' actions, repair, the serious procedure,
``DecisionStage.append_returning``). It is skipped (a ``WHEN`` condition, so not even called)
only for rows inserted while ``credit.bulk_chain`` is ``on`` **and** the current user is the
role that ran this migration, which owns the log and the function. The function sets the
setting for its own duration only (``SET`` clause) and, being SECURITY DEFINER, runs as that
owner; an ordinary writer (``credit_writer``, ``credit_api``) who sets ``credit.bulk_chain``
himself is still himself, so the trigger numbers and chains his rows as before. A writer allowed
to call the function (``credit_writer``) only chooses the stage's content and its order, which he
could insert anyway; the numbers and hashes are the function's. Limits:

- the owner (and a superuser) can insert rows with the setting on and skip the trigger; they can
  equally drop or disable it, so no power is added; the application sets it nowhere but in this
  function, and a row with a wrong link or number is named by ``credit audit verify``;
- if the owner of the table or the function is changed later, the condition no longer matches
  and the trigger runs on the function's rows too: it assigns the very same values (same order,
  same predecessors), so the rows stay right, only as slow as before;
- a column added to ``roster_decisions`` later is taken from the stage when the stage has it
  (``credit.rosters.log.INSERT_COLUMNS``); a column neither in the stage nor computed here makes
  the function refuse to run, rather than hash a row whose default it does not know;
- a later change of ``roster_decision_canonical`` must change :func:`_canonical_expr` too (the
  check above refuses to append until it does).

``order_by`` is not SQL the function runs as given: it must be a list of the stage's columns,
each optionally ``collate "C"`` (:data:`credit.rosters.log.NIGHT_ORDER`, or ``ord``), and the
function quotes each name itself. EXECUTE is revoked from PUBLIC and granted to ``credit_writer``
(the night's role, migration 0013). No table is added, so no grants of tables change.
"""

from alembic import op

revision = "0028_bulk_chain"
down_revision = "0027_typed_staging"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
# Actions that issue a document addressed to the party and therefore take a 文号 (0009_serious_procedure).
NUMBERED = ("include", "escalate", "remove", "revoke", "correct", "notice", "refuse", "decline")
# The columns the function computes; every other column of the log comes from the stage.
COMPUTED = ("seq", "entry_id", "doc_year", "doc_seq", "decision_no", "late", "content_hash", "prev_hash",
            "row_hash")


# The fields of roster_decision_canonical (0002_rosters) and their types in the log.
CANONICAL = {"seq": "bigint", "uscc": "text", "roster": "text", "action": "text", "proposed_action": "text",
             "entry_id": "bigint", "refers_to": "bigint", "request_id": "bigint", "cause_code": "text",
             "cause": "text", "basis": "text", "rule_id": "text", "rule_version": "text", "facts": "jsonb",
             "fact_key": "text", "trigger_date": "date", "decision_date": "date", "due_date": "date",
             "due_provisional": "date", "due_note": "text", "late": "boolean", "effective_until": "date",
             "reason": "text", "authority": "text", "authority_name": "text", "doc_prefix": "text",
             "decision_no": "text", "doc_year": "integer", "doc_seq": "integer", "config_version": "text",
             "night": "date", "actor": "text"}


def _canonical_expr(alias: str) -> str:
    """The text of ``roster_decision_canonical`` of the row whose columns are ``alias.<column>``,
    written out as one ``concat`` instead of building a jsonb and printing it, and inline rather
    than a function call per row (together a quarter of the cost). jsonb prints an object's keys
    shortest first, then by their bytes, as ``"key": value`` joined by ``", "``; a string or a date
    with the same escaping as ``to_json`` (``escape_json``, ISO dates), a number, boolean or jsonb
    as its text; SQL NULL as ``null``. The function checks it against the reference on every call
    (first and last row) and the tests on every row they append."""
    keys = sorted(CANONICAL, key=lambda k: (len(k.encode()), k.encode()))
    parts = []
    for i, k in enumerate(keys):
        value = f"to_json({alias}.{k})::text" if CANONICAL[k] in ("text", "date") else f"({alias}.{k})::text"
        parts.append(f"'{'{' if i == 0 else ', '}\"{k}\": ', coalesce({value}, 'null')")
    return "concat(" + ", ".join(parts) + ", '}')"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ",".join(f"'{v}'" for v in values) + ")"


def _function(schema: str) -> str:
    computed = "array[" + ", ".join(f"'{c}'" for c in COMPUTED) + "]"
    canonical = _canonical_expr("f")
    return rf"""
create or replace function roster_decisions_append(order_by text) returns bigint
language plpgsql security definer
set search_path = "{schema}", pg_temp
set credit.bulk_chain = 'on'
as $fn$
declare
    stage_cols text[] := array(select a.attname::text from pg_attribute a
                                where a.attrelid = 'pg_temp._roster_new'::regclass and a.attnum > 0
                                  and not a.attisdropped);
    keys text := '';
    item text;
    m text[];
    col record;
    fields text := '';
    cols text := '';
    picks text := '';
    last_seq bigint;
    last_hash text;
    n bigint := 0;
begin
    -- the order: the stage's columns, each optionally collate "C"; quoted here, never run as given
    foreach item in array string_to_array(order_by, ',') loop
        m := regexp_match(item, '^\s*([a-z_]+)(\s+collate\s+"C")?\s*$');
        if m is null or not (m[1] = any(stage_cols)) then
            raise exception 'roster_decisions_append: not an order of the stage: %', order_by
                using errcode = 'invalid_parameter_value';
        end if;
        keys := keys || case when keys = '' then '' else ', ' end || 'n.' || quote_ident(m[1])
                || case when m[2] is null then '' else ' collate "C"' end;
    end loop;
    -- the finished row, column by column in the log's order: computed as the trigger
    -- roster_decisions_before_insert does (0009), or the stage's value, with the log's type
    for col in select a.attname::text as name, format_type(a.atttypid, a.atttypmod) as type
                 from pg_attribute a where a.attrelid = 'roster_decisions'::regclass and a.attnum > 0
                  and not a.attisdropped order by a.attnum loop
        if not (col.name = any({computed}) or col.name = any(stage_cols)) then
            raise exception 'roster_decisions_append: the log''s column % is not known to the bulk append (migration 0028)',
                col.name using errcode = 'feature_not_supported';
        end if;
        cols := cols || case when cols = '' then '' else ', ' end || quote_ident(col.name);
        if col.name in ('content_hash', 'prev_hash', 'row_hash') then
            picks := picks || ', ' || case col.name when 'content_hash' then 'd.content_hash'
                when 'prev_hash' then 'left(d.link, 64)' else 'right(d.link, 64)' end;
            continue;
        end if;
        picks := picks || case when picks = '' then '' else ', ' end || 'd.' || quote_ident(col.name);
        fields := fields || ', (' || case col.name
            when 'seq' then 't.seq'
            when 'entry_id' then 'case when t.action in (''include'', ''escalate'') and t.entry_id is null then t.seq else t.entry_id end'
            when 'doc_year' then 'case when t.numbered then t.y end'
            when 'doc_seq' then 'case when t.numbered then t.doc_seq end'
            when 'decision_no' then 'case when t.numbered then coalesce(t.doc_prefix, t.authority) || ''〔'' || t.y || ''〕'' || t.doc_seq || ''号'' else t.decision_no end'
            when 'late' then 't.due_date is not null and t.decision_date > t.due_date'
            else 't.' || quote_ident(col.name) end || ')::' || col.type || ' as ' || quote_ident(col.name);
    end loop;

    -- one writer of the log at a time: seq, 文号 and the chain are each "previous + 1"
    perform pg_advisory_xact_lock(4270002);
    select d.seq, d.row_hash into last_seq, last_hash from roster_decisions d order by d.seq desc limit 1;

    -- one statement: the finished rows, their content hash and the chain (the window aggregate
    -- roster_chain over the content hashes in seq order), inserted in seq order
    execute format($q$
        insert into roster_decisions (%4$s)
        with k as (   -- the order and the numbers, sorted on the few columns they need
            select n.ctid as row_id, row_number() over (order by %1$s) as pos, n.authority,
                   (n.action in {_in(NUMBERED)} and n.decision_no is null) as numbered,
                   extract(year from n.decision_date)::int as y
              from pg_temp._roster_new n
        ), last_doc as (   -- the last 文号 of each authority and year the stage numbers
            select p.authority, p.y,
                   (select max(d.doc_seq) from roster_decisions d
                     where d.authority = p.authority and d.doc_year = p.y) as doc_seq
              from (select distinct k.authority, k.y from k where k.numbered) p
        ), numbers as (
            select k.row_id, k.pos, k.numbered, k.y, %2$s::bigint + k.pos as seq,
                   case when k.numbered then (coalesce(l.doc_seq, 0)
                        + row_number() over (partition by k.numbered, k.authority, k.y order by k.pos))::int end as doc_seq
              from k left join last_doc l on k.numbered and l.authority = k.authority and l.y = k.y
        ), t as (     -- each staged row once (ctid), with its numbers
            select n.*, x.pos, x.numbered, x.y, x.seq, x.doc_seq
              from pg_temp._roster_new n join numbers x on x.row_id = n.ctid
        ), f as (
            select t.pos%3$s from t
        ), h as (   -- offset 0: hashed once here, not again in the window's output
            select f.*, encode(sha256(convert_to({canonical}, 'UTF8')), 'hex') as content_hash from f offset 0
        ), d as (
            select h.*, roster_chain(h.content_hash, %5$L)
                        over (order by h.pos rows between unbounded preceding and current row) as link
              from h
        )
        select %6$s from d order by d.pos
    $q$, keys, coalesce(last_seq, 0), fields, cols, coalesce(last_hash, '{GENESIS}'), picks);
    get diagnostics n = row_count;
    -- a guard against the canonical text above drifting from roster_decision_canonical, which
    -- the trigger and audit verify use: the first and the last row appended, hashed through it
    if exists (select 1 from roster_decisions d
                where d.seq in (coalesce(last_seq, 0) + 1, coalesce(last_seq, 0) + n)
                  and d.content_hash <> encode(sha256(convert_to(roster_decision_canonical(d), 'UTF8')), 'hex')) then
        raise exception 'roster_decisions_append: its canonical row differs from roster_decision_canonical (migration 0028)';
    end if;
    return n;
end
$fn$;
revoke all on function roster_decisions_append(text) from public;
grant execute on function roster_decisions_append(text) to credit_writer;
"""


# The chain's step: the link is (previous row hash, this row hash), the first link starts at
# ``start`` (the log's last row hash, or the genesis); row_hash = sha256(prev_hash || content_hash)
# as in roster_decisions_before_insert.
CHAIN = """
create or replace function roster_chain_step(link text, content_hash text, start text) returns text
language plpgsql immutable as $fn$
declare
    prev text := coalesce(right(link, 64), start);
begin
    return prev || encode(sha256(convert_to(prev || content_hash, 'UTF8')), 'hex');
end
$fn$;
create or replace aggregate roster_chain(text, text) (sfunc = roster_chain_step, stype = text);
"""


def _trigger(skip_for: str | None) -> str:
    when = ("" if skip_for is None else
            f"when (current_setting('credit.bulk_chain', true) is distinct from 'on' or current_user <> '{skip_for}')")
    return f"""
drop trigger roster_decisions_chain on roster_decisions;
create trigger roster_decisions_chain before insert on roster_decisions
    for each row {when} execute function roster_decisions_before_insert();
"""


def upgrade() -> None:
    bind = op.get_bind()
    schema, owner = bind.exec_driver_sql("select current_schema(), current_user").one()
    op.execute(CHAIN)
    op.execute(_function(schema.replace('"', '""')))
    op.execute(_trigger(owner.replace("'", "''")))


def downgrade() -> None:
    op.execute(_trigger(None))
    op.execute("drop function if exists roster_decisions_append(text)")
    op.execute("drop aggregate if exists roster_chain(text, text)")
    op.execute("drop function if exists roster_chain_step(text, text, text)")
