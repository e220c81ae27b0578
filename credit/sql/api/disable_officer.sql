-- Disable an account (accounts are never deleted: the decision log names them).
update officers set disabled_at = now() where login = :l and disabled_at is null returning id
