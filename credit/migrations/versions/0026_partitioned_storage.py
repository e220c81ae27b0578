"""storage that grows with change: the quarantine partitioned by night month, retention by partition (issue 11).

Revision ID: 0026_partitioned_storage
Revises: 0017_partition_results

Measured at 200,000 entities (docs/storage.md): of the tables that grow every night, only the
quarantine is both large and operational (it holds the raw rows a night rejected, JSON, for the
clerks to have them delivered again). The store's history tables grow per change and are the
record the decisions rest on; the decision log, its anchors, notices, publicity windows, grade
ranges and draws are legal records (domain.md §3–§8): none of them is ever deleted, so none gains
from being cut by night, and their reads go by entity (indexes), not by night or region.

- ``quarantine`` becomes a table partitioned by ``night`` in ranges of a calendar month
  (``quarantine_YYYY_MM``) plus a default partition (``quarantine_default``): a night never fails
  for want of a partition, its rows go to the default one until their month's partition exists.
  Reads by night (the workbench, ``credit quality``, tonight's held annual reports of an
  incremental night's scope) prune to one month; retention drops whole months instead of
  deleting rows (``credit retention``, config/retention.yaml).
- ``credit_night_partition(parent, month)``: makes the month's partition of a night-partitioned
  table if it is missing, moving that month's rows out of the default partition first (the
  partition is created as a plain table, filled, then attached). SECURITY DEFINER: the night runs
  as ``credit_writer``, which owns no table and so could not create a partition itself.
- ``credit_night_partitions_ahead(night)``: the partitions of the night's month and of the two
  months after it, for every table partitioned by ``night``. A trigger on ``night_runs`` calls it
  when a night is published (a failure there is a warning, never a failed night), so DDL happens
  about once a month and the next nights find their partition made.
- ``credit_drop_night_partition(partition)``: detaches and drops one month of an operational
  night-partitioned table; it refuses every table not named in it (legal records cannot be
  dropped through it), a default partition, a month not older than the last published night's
  month, and a quarantine month that still holds back an abnormal-roster decision (a held
  annual-report row without an accepted report or a decision, domain.md §3.1, §3.2). Only the
  owner may execute it (``credit retention --apply`` runs as the owner, like ``credit db upgrade``).

The conversion is done in place for a production upgrade: the old table is renamed, the
partitioned one created with the same columns, primary key and comment, its rows moved month by
month, the views over it (``quarantined_annual_reports``) recreated on the new table, the old
table dropped and the grants applied again (``credit_grant_roles``). The downgrade does the
reverse: one plain table with every row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_partitioned_storage"
down_revision = "0025_lookup_speed"
branch_labels = None
depends_on = None

# Operational tables partitioned by night month; credit_drop_night_partition drops only these.
TABLES = ("quarantine",)

FUNCTIONS = r"""
create or replace function credit_night_partition(parent regclass, month date) returns boolean
language plpgsql security definer set search_path from current as $fn$
declare
    lo date := date_trunc('month', month)::date;
    hi date := (date_trunc('month', month) + interval '1 month')::date;
    base text := (select relname from pg_class where oid = parent);
    name text := base || '_' || to_char(date_trunc('month', month), 'YYYY_MM');
    def regclass := (select nullif(partdefid, 0)::regclass from pg_partitioned_table where partrelid = parent);
    unlogged boolean := (select relpersistence = 'u' from pg_class where oid = coalesce(def, parent));
begin
    if exists (select 1 from pg_inherits i join pg_class c on c.oid = i.inhrelid
                where i.inhparent = parent and c.relname = name) then
        return false;
    end if;
    -- a plain table first, filled with the month's rows of the default partition, then attached
    -- (attaching creates the parent's indexes on it and checks that the default keeps none of them)
    execute format('create %s table %I (like %s including defaults including constraints including storage)',
                   case when unlogged then 'unlogged' else '' end, name, parent);
    if def is not null then
        execute format('with moved as (delete from %s where night >= %L and night < %L returning *) '
                       'insert into %I select * from moved', def, lo, hi, name);
    end if;
    execute format('alter table %s attach partition %I for values from (%L) to (%L)', parent, name, lo, hi);
    return true;
end
$fn$;

create or replace function credit_night_partitions_ahead(night date) returns integer
language plpgsql security definer set search_path from current as $fn$
declare
    t record;
    made integer := 0;
    k integer;
begin
    -- every table of this schema partitioned by range on its column "night"
    for t in select p.partrelid::regclass as rel
               from pg_partitioned_table p
               join pg_class c on c.oid = p.partrelid
               join pg_namespace n on n.oid = c.relnamespace
               join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0]
              where n.nspname = current_schema() and p.partstrat = 'r' and p.partnatts = 1
                and a.attname = 'night'
    loop
        for k in 0..2 loop
            if credit_night_partition(t.rel, (night + make_interval(months => k))::date) then
                made := made + 1;
            end if;
        end loop;
    end loop;
    return made;
end
$fn$;

create or replace function night_runs_partitions_ahead() returns trigger
language plpgsql security definer set search_path from current as $fn$
begin
    begin
        perform credit_night_partitions_ahead(new.night);
    exception when others then
        -- never a failed night: its rows are in the default partition until a later night makes it
        raise warning 'partitions ahead of night % not made: %', new.night, sqlerrm;
    end;
    return new;
end
$fn$;

create or replace function credit_drop_night_partition(part regclass) returns text
language plpgsql security definer set search_path from current as $fn$
declare
    parent regclass := (select inhparent::regclass from pg_inherits where inhrelid = part);
    bound text := pg_get_expr((select relpartbound from pg_class where oid = part), part);
    lo date;
    hi date;
    last date := (select max(night) from night_runs);
    held bigint;
begin
    -- operational tables only: the decision log, the history and every other legal record can
    -- never be dropped through this function (domain.md §3-§8; docs/storage.md)
    if parent is null or (select relname from pg_class where oid = parent) not in (__TABLES__) then
        raise exception '% is not a month of an operational night-partitioned table', part;
    end if;
    if bound is null or bound = 'DEFAULT' then
        raise exception '% is a default partition: retention drops months only', part;
    end if;
    lo := substring(bound from $re$FROM \('([0-9-]+)'\)$re$)::date;
    hi := substring(bound from $re$TO \('([0-9-]+)'\)$re$)::date;
    if last is null or hi > date_trunc('month', last)::date then
        raise exception '% (% to %) is not older than the month of the last published night (%)', part, lo, hi, last;
    end if;
    if (select relname from pg_class where oid = parent) = 'quarantine' then
        -- a held annual-report row holds back a missing-report decision while no accepted report and
        -- no decision exist for its key (sql/rosters/annual_reports.sql; domain.md §3.1, §3.2)
        select count(*) into held
          from quarantined_annual_reports q
         where q.night >= lo and q.night < hi
           and not exists (select 1 from annual_reports a where a.uscc = q.uscc and a.report_year = q.report_year)
           and not exists (select 1 from roster_decisions d
                            where d.fact_key = 'annual_report_missing:' || q.uscc || ':' || q.report_year);
        if held > 0 then
            raise exception '% holds % annual-report rows that still hold back a decision', part, held;
        end if;
    end if;
    execute format('alter table %s detach partition %s', parent, part);
    execute format('drop table %s', part);
    return format('%s %s..%s', parent, lo, hi);
end
$fn$;
revoke all on function credit_drop_night_partition(regclass) from public;
revoke all on function credit_night_partition(regclass, date) from public;
revoke all on function credit_night_partitions_ahead(date) from public;
grant execute on function credit_night_partitions_ahead(date) to credit_writer;

create trigger night_runs_partitions_ahead after insert on night_runs
    for each row execute function night_runs_partitions_ahead();
""".replace("__TABLES__", ", ".join(f"'{t}'" for t in TABLES))


def _views_over(table: str) -> list[tuple[str, str, str | None]]:
    """The views reading ``table`` directly: (name, definition, comment), to recreate after a swap."""
    rows = op.get_bind().execute(sa.text("""
        select distinct v.relname, pg_get_viewdef(v.oid), obj_description(v.oid, 'pg_class')
          from pg_depend d
          join pg_rewrite r on r.oid = d.objid
          join pg_class v on v.oid = r.ev_class
         where d.refobjid = cast(:t as regclass) and v.relkind = 'v' and v.oid <> cast(:t as regclass)
    """), {"t": table}).all()
    return [(str(n), str(s), c) for n, s, c in rows]


def _recreate(views: list[tuple[str, str, str | None]]) -> None:
    for name, body, comment in views:
        op.execute(f"create view {name} as {body}")
        if comment is not None:
            op.execute(sa.text(f"comment on view {name} is " + "'" + comment.replace("'", "''") + "'"))


def _swap(table: str, partitioned: bool) -> None:
    """Replace ``table`` by a (non-)partitioned copy with every row, its key, indexes, comment and views."""
    views = _views_over(table)
    for name, _, _ in views:
        op.execute(f"drop view {name}")
    key = op.get_bind().execute(sa.text(
        "select pg_get_constraintdef(oid) from pg_constraint where conrelid = cast(:t as regclass) and contype = 'p'"),
        {"t": table}).scalar_one()
    # indexes besides the key (another revision may have added some): made again on the new table
    indexes = op.get_bind().execute(sa.text(
        "select pg_get_indexdef(i.indexrelid) from pg_index i where i.indrelid = cast(:t as regclass) "
        "and not i.indisprimary order by 1"), {"t": table}).scalars().all()
    old = f"{table}_before_0026"
    op.execute(f"alter table {table} rename to {old}")
    op.execute(f"alter table {old} rename constraint {table}_pkey to {old}_pkey")
    op.execute(f"create table {table} (like {old} including defaults including constraints including storage "
               "including comments)" + (" partition by range (night)" if partitioned else ""))
    op.execute(f"alter table {table} add constraint {table}_pkey {key}")
    op.execute(f"do $$ begin execute format('comment on table {table} is %L', "
               f"obj_description('{old}'::regclass, 'pg_class')); end $$")
    if partitioned:
        op.execute(f"create table {table}_default partition of {table} default")
        op.execute(f"select credit_night_partition('{table}'::regclass, m) "
                   f"from (select distinct date_trunc('month', night)::date as m from {old}) as months order by m")
    op.execute(f"insert into {table} select * from {old}")
    op.execute(f"drop table {old}")
    for definition in indexes:
        op.execute(definition)
    _recreate(views)


def upgrade() -> None:
    op.execute(FUNCTIONS)
    for table in TABLES:
        _swap(table, partitioned=True)
    # the months ahead of the last published night (a fresh database: made by its first night)
    op.execute("select credit_night_partitions_ahead(max(night)) from night_runs having max(night) is not null")
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    op.execute("drop trigger if exists night_runs_partitions_ahead on night_runs")
    for table in TABLES:
        _swap(table, partitioned=False)
    op.execute("drop function if exists night_runs_partitions_ahead()")
    op.execute("drop function if exists credit_drop_night_partition(regclass)")
    op.execute("drop function if exists credit_night_partitions_ahead(date)")
    op.execute("drop function if exists credit_night_partition(regclass, date)")
    op.execute("select credit_grant_roles()")
