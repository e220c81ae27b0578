-- The three least-privilege roles of migration 0013 and whether each may log in (credit db roles).
select r.rolname as role, r.rolcanlogin as login
  from pg_roles as r
 where r.rolname in ('credit_writer', 'credit_api', 'credit_auditor')
 order by r.rolname
