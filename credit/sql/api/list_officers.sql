-- Every officer's account, disabled ones included (never the password hash).
select id, login, display_name, role, authority, created_at, password_changed_at, disabled_at
  from officers order by id
