-- Run on Airflow's metadata database, as the role that created its tables before it had a login of
-- its own (`credit` in a deployment made before credit db airflow-role): every table, view,
-- materialised view, sequence not owned by a column, and type of its own of the schema public that
-- this role owns is handed to `airflow`, which then migrates them (`airflow db migrate`). A
-- database whose objects are `airflow`'s already is left as it is.
do $$
declare
    o record;
begin
    for o in select c.oid::regclass as name, c.relkind
               from pg_class c
              where c.relnamespace = 'public'::regnamespace and c.relowner = current_user::regrole
                and c.relkind in ('r', 'p', 'v', 'm', 'S')
                and not exists (select from pg_depend d where d.objid = c.oid and d.classid = 'pg_class'::regclass
                                   and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i'))
    loop
        execute format('alter %s %s owner to airflow',
                       case o.relkind when 'S' then 'sequence' when 'v' then 'view'
                                      when 'm' then 'materialized view' else 'table' end, o.name);
    end loop;
    for o in select t.oid::regtype as name
               from pg_type t
              where t.typnamespace = 'public'::regnamespace and t.typowner = current_user::regrole
                and t.typtype in ('e', 'd', 'r', 'm')
    loop
        execute format('alter type %s owner to airflow', o.name);
    end loop;
end
$$
