-- A new password hash for a live account.
update officers set password_hash = :h, password_changed_at = now()
 where login = :l and disabled_at is null returning id
