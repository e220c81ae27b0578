-- Airflow's own login in docker compose (credit db airflow-role, docs/deploy.md §3): the role
-- `airflow`, created when missing, with LOGIN and the verifier of role_verifier.sql
-- (credit.login_verifier), and made the owner of Airflow's metadata database
-- (credit.airflow_database), so that no Airflow container holds the owner's password. The role
-- name is fixed; it gets no attribute but LOGIN (not superuser, no CREATEDB, no CREATEROLE) and no
-- privilege on the project's database beyond what PUBLIC has. Needs a superuser (the compose
-- file's init service, as `credit`).
do $$
begin
    if not exists (select from pg_roles where rolname = 'airflow') then
        create role airflow;
    end if;
    execute format('alter role airflow login nosuperuser nocreatedb nocreaterole password %L',
                   current_setting('credit.login_verifier'));
    execute format('alter database %I owner to airflow', current_setting('credit.airflow_database'));
end
$$
