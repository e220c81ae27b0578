-- An officer's account by login name (with its password hash: for sign-in only).
select id, login, display_name, role, authority, password_hash, created_at, password_changed_at, disabled_at
  from officers where login = :l
