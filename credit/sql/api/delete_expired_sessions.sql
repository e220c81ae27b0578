-- Sessions past their absolute expiry or idle longer than :idle seconds.
delete from api_sessions
 where expires_at <= now() or last_seen_at <= now() - make_interval(secs => :idle)
returning key_id, officer_id
