"""least-privilege database roles: the nightly writer, the API, the auditor.

Revision ID: 0013_audit_roles
Revises: 0011_penalty_publicity

Three roles, created ``NOLOGIN`` (a deployment grants ``LOGIN`` and a password from its secrets
and gives each service its own ``CREDIT_DATABASE_URL``; docs/deploy.md):

- ``credit_writer`` — the night (``credit nightly``, the DAG) and the officers' commands: reads
  and writes the store; on append-only tables (every table with an ``*_append_only`` trigger:
  the decision log, its anchors, notices, publicity windows, draws…) only SELECT and INSERT.
- ``credit_api`` — ``credit serve`` for the public and consumers: reads everything it serves and
  INSERTs only applications and objections (``roster_requests``, ``repair_submissions``) and the
  screening certificates it issues; no UPDATE or DELETE anywhere (0014 adds its own sign-in
  sessions). What a role may write beyond reading is data: ``role_table_grants``.
- ``credit_auditor`` — reads, nothing else (``credit audit verify``, backups: also the sequences'
  positions, which pg_dump reads).

None of them owns a table, so none can disable a trigger, alter or drop anything: only the owner
(who runs ``credit db upgrade``) or a superuser can. Roles are cluster-wide: creating them is
idempotent (another database of the same server may have created them already).

The grants are applied by the function ``credit_grant_roles()``, which derives them from the
catalogue (append-only = has an ``*_append_only`` trigger); a later migration that adds a table
ends with ``select credit_grant_roles()`` to give it the same treatment. Default privileges give
new tables a first set of grants until then.
"""

from alembic import op

revision = "0013_audit_roles"
down_revision = "0011_penalty_publicity"
branch_labels = None
depends_on = None

ROLES = ("credit_writer", "credit_api", "credit_auditor")
API_INSERT = ("roster_requests", "repair_submissions", "screening_certificates")

GRANT_FUNCTION = """
create or replace function credit_grant_roles() returns void language plpgsql as $fn$
declare
    t record;
    s record;
    w record;
begin
    for t in select c.oid::regclass as rel,
                    exists (select 1 from pg_trigger g where g.tgrelid = c.oid and not g.tgisinternal
                            and g.tgname like '%\\_append\\_only') as append_only
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v', 'm')
    loop
        execute format('revoke all on %s from credit_writer, credit_api, credit_auditor', t.rel);
        execute format('grant select on %s to credit_writer, credit_api, credit_auditor', t.rel);
        if t.append_only then
            execute format('grant insert on %s to credit_writer', t.rel);
        else
            execute format('grant insert, update, delete on %s to credit_writer', t.rel);
        end if;
    end loop;
    -- What a role may write beyond reading: rows of role_table_grants (a later migration adds its own).
    for w in select r.role_name, to_regclass(r.table_name) as rel, r.privileges
               from role_table_grants r where to_regclass(r.table_name) is not null
    loop
        execute format('grant %s on %s to %I', w.privileges, w.rel, w.role_name);
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
"""


def upgrade() -> None:
    for role in ROLES:
        # Cluster-wide and maybe created concurrently by another database's migration: tolerate both.
        op.execute(f"""
        do $$ begin
            if not exists (select 1 from pg_roles where rolname = '{role}') then
                create role {role} nologin;
            end if;
        exception when duplicate_object or unique_violation then null;
        end $$;""")
    op.execute("do $$ begin execute format('grant connect on database %I to credit_writer, credit_api, "
               "credit_auditor', current_database()); end $$;")
    op.execute("""
    create table role_table_grants (
        role_name text not null, table_name text not null, privileges text not null,
        primary key (role_name, table_name));
    comment on table role_table_grants is
        'Writes a role is granted beyond reading (credit_grant_roles() applies them); a migration adding a table adds its row';
    """)
    op.execute("insert into role_table_grants values " + ", ".join(
        f"('credit_api', '{t}', 'insert')" for t in API_INSERT))
    op.execute(GRANT_FUNCTION)
    op.execute("select credit_grant_roles()")
    op.execute("alter default privileges in schema public grant select on tables to credit_writer, credit_api, "
               "credit_auditor")
    op.execute("alter default privileges in schema public grant insert on tables to credit_writer")
    op.execute("alter default privileges in schema public grant usage, select on sequences to credit_writer")


def downgrade() -> None:
    # The roles stay: other databases of the same server may use them. This database's grants go.
    op.execute("alter default privileges in schema public revoke all on tables from credit_writer, credit_api, "
               "credit_auditor")
    op.execute("alter default privileges in schema public revoke all on sequences from credit_writer")
    op.execute("revoke all on all tables in schema public from credit_writer, credit_api, credit_auditor")
    op.execute("revoke all on all sequences in schema public from credit_writer, credit_api, credit_auditor")
    op.execute("drop function if exists credit_grant_roles()")
    op.execute("drop table if exists role_table_grants")
