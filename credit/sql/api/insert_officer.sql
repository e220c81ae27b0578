-- A new officer's account (credit officers add); only the scrypt hash of the password.
insert into officers (login, display_name, role, authority, password_hash)
values (:l, :n, :r, :a, :h)
returning id, login, display_name, role, authority, created_at, password_changed_at, disabled_at
