-- One of the package's roles, created without login when missing, before a restore grants to it
-- (credit.backup.restore; formatted by Python: the role, a name of credit.backup.ROLES).
do $$ begin
    if not exists (select 1 from pg_roles where rolname = '{role}') then
        create role {role} nologin;
    end if;
exception when duplicate_object or unique_violation then null;
end $$;
