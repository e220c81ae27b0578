-- The key behind a live session: not past its absolute expiry, nor idle longer than :idle seconds,
-- and its key not revoked.
select s.key_id, k.name, k.role, k.rate_per_minute, s.last_seen_at,
       (now() - s.last_seen_at) > make_interval(secs => :touch) as stale
  from api_sessions as s
  join api_keys as k on k.id = s.key_id and k.revoked_at is null
 where s.session_hash = :h and s.expires_at > now()
   and s.last_seen_at > now() - make_interval(secs => :idle)
