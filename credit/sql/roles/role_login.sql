-- Give one role of migration 0013 a login with the verifier of role_verifier.sql (docs/deploy.md §3).
-- Only the three least-privilege roles: a wrong name can never touch the owner or a superuser.
-- Needs the owner of the tables with CREATEROLE, or a superuser (the compose file's init service).
do $$
begin
    if current_setting('credit.login_role') not in ('credit_writer', 'credit_api', 'credit_auditor') then
        raise exception '% is not one of credit_writer, credit_api, credit_auditor', current_setting('credit.login_role');
    end if;
    execute format('alter role %I login password %L',
                   current_setting('credit.login_role'), current_setting('credit.login_verifier'));
end
$$
