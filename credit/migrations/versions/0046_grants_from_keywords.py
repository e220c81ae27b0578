"""What a role may write is the owner's data, and applying it runs nothing but grants (an outside review, P1).

Revision ID: 0046_grants_from_keywords
Revises: 0045_late_by_record

Migration 0013 keeps what a role may write beyond reading as rows of ``role_table_grants`` and
applies them with ``credit_grant_roles()``, which every migration adding a table runs as the
owner. Two faults made that a way for the night's role to become superuser:

- the function's first loop gives ``credit_writer`` INSERT, UPDATE and DELETE on *every* table
  without an append-only trigger, ``role_table_grants`` (and ``alembic_version``) included: the
  writer could add rows naming any privilege for any role;
- the second loop ran ``format('grant %s on %s to %I', privileges, …)`` with the row's text
  unquoted, so a row whose ``privileges`` read ``select on night_runs to credit_writer; alter role
  credit_writer superuser; grant select`` ran that ``alter role`` as the owner at the next
  migration.

Both are fixed at the cause. The schema's control tables — ``role_table_grants`` (what roles may
write) and ``alembic_version`` (which migrations ran) — are written by the owner only, by
migrations; every role reads them (contracts.md §2: ``credit db upgrade`` is the owner's command;
docs/deploy.md §3: no runtime role owns or changes the schema). And the function no longer
executes text from a table: a row's role must be one of the three roles (quoted with ``%I``), its
table a table of the current schema found by exact name in the catalogue (printed as a
``regclass``), and its privileges a comma-separated list taken from the fixed keywords SELECT,
INSERT, UPDATE, DELETE; the GRANT is built from those keywords, never from the row's text. A row
that breaks any of these makes the function raise before anything is granted (the migration
fails and says which row), and check constraints refuse such rows when written.
"""

from alembic import op

revision = "0046_grants_from_keywords"
down_revision = "0045_late_by_record"
branch_labels = None
depends_on = None

# Written by migrations (the owner) only; the runtime roles read them.
CONTROL_TABLES = ("role_table_grants", "alembic_version")

GRANT_FUNCTION = """
create or replace function credit_grant_roles() returns void language plpgsql as $fn$
declare
    t record;
    s record;
    w record;
    privs text[];
    keywords constant text[] := array['select', 'insert', 'update', 'delete'];
begin
    for t in select c.oid::regclass as rel, c.relname,
                    exists (select 1 from pg_trigger g where g.tgrelid = c.oid and not g.tgisinternal
                            and g.tgname like '%\\_append\\_only') as append_only
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v', 'm')
    loop
        execute format('revoke all on %s from credit_writer, credit_api, credit_auditor', t.rel);
        execute format('grant select on %s to credit_writer, credit_api, credit_auditor', t.rel);
        if t.relname in (CONTROL_TABLES) then
            null;                                          -- the owner's: written by migrations only
        elsif t.append_only then
            execute format('grant insert on %s to credit_writer', t.rel);
        else
            execute format('grant insert, update, delete on %s to credit_writer', t.rel);
        end if;
    end loop;
    -- What a role may write beyond reading: rows of role_table_grants (a later migration adds its
    -- own). Nothing of a row's text is executed: the role is checked and quoted, the table is the
    -- catalogue's, the privileges are keywords from a fixed set (migration 0046).
    for w in select r.role_name, r.table_name, r.privileges, c.oid::regclass as rel
               from role_table_grants r
               left join pg_class c on c.relname = r.table_name and c.relkind in ('r', 'p', 'v', 'm')
                    and c.relnamespace = (select oid from pg_namespace where nspname = current_schema())
    loop
        if w.role_name not in ('credit_writer', 'credit_api', 'credit_auditor') then
            raise exception 'role_table_grants: 角色 % 不在 credit_writer、credit_api、credit_auditor 之列 (not one of the three roles)',
                quote_literal(w.role_name);
        end if;
        privs := regexp_split_to_array(lower(btrim(w.privileges)), '\\s*,\\s*');
        if not (privs <@ keywords) then
            raise exception 'role_table_grants: 权限 % (% 对 %) 只能是 select、insert、update、delete (privileges must be a list of select, insert, update, delete)',
                quote_literal(w.privileges), w.role_name, quote_literal(w.table_name);
        end if;
        if w.rel is null then
            if w.table_name !~ '^[a-z_][a-z0-9_]*$' then
                raise exception 'role_table_grants: % 不是表名 (not a table name)', quote_literal(w.table_name);
            end if;
            continue;                                      -- a table a later migration creates
        end if;
        execute format('grant %s on %s to %I',
                       (select string_agg(k, ', ' order by i) from unnest(keywords) with ordinality as u(k, i)
                         where k = any(privs)),
                       w.rel, w.role_name);
    end loop;
    for s in select q.oid::regclass as seq, owner_table.relname
               from pg_class q join pg_namespace n on n.oid = q.relnamespace
               left join pg_depend d on d.objid = q.oid and d.deptype in ('a', 'i')
               left join pg_class owner_table on owner_table.oid = d.refobjid
              where n.nspname = current_schema() and q.relkind = 'S'
    loop
        execute format('revoke all on sequence %s from credit_writer, credit_api, credit_auditor', s.seq);
        execute format('grant usage, select on sequence %s to credit_writer', s.seq);
        execute format('grant select on sequence %s to credit_auditor', s.seq);   -- pg_dump reads positions
        if s.relname in (select r.table_name from role_table_grants r where r.role_name = 'credit_api') then
            execute format('grant usage, select on sequence %s to credit_api', s.seq);
        end if;
    end loop;
    execute 'grant usage on schema ' || quote_ident(current_schema()) || ' to credit_writer, credit_api, credit_auditor';
end
$fn$;
""".replace("CONTROL_TABLES", ", ".join(f"'{t}'" for t in CONTROL_TABLES))

CHECKS = """
alter table role_table_grants
    add constraint role_table_grants_role check (role_name in ('credit_writer', 'credit_api', 'credit_auditor')),
    add constraint role_table_grants_table check (table_name ~ '^[a-z_][a-z0-9_]*$'),
    add constraint role_table_grants_privileges
        check (privileges ~* '^\\s*(select|insert|update|delete)(\\s*,\\s*(select|insert|update|delete))*\\s*$');
"""


def upgrade() -> None:
    op.execute(CHECKS)
    op.execute(GRANT_FUNCTION)
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("credit_migration_0013",
                                                  Path(__file__).with_name("0013_audit_roles.py"))
    assert spec is not None and spec.loader is not None
    m0013 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m0013)
    op.execute("alter table role_table_grants drop constraint role_table_grants_role, "
               "drop constraint role_table_grants_table, drop constraint role_table_grants_privileges")
    op.execute(m0013.GRANT_FUNCTION)
    op.execute("select credit_grant_roles()")
