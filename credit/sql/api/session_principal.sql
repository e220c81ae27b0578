-- The key or the officer behind a live session: not past its absolute expiry, nor idle longer
-- than :idle seconds, and its key not revoked (its account not disabled).
select s.key_id, s.officer_id, coalesce(k.name, o.login) as name, coalesce(k.role, 'bureau') as role,
       k.rate_per_minute, o.display_name, o.role as officer_role, o.authority, s.last_seen_at,
       (now() - s.last_seen_at) > make_interval(secs => :touch) as stale
  from api_sessions as s
  left join api_keys as k on k.id = s.key_id and k.revoked_at is null
  left join officers as o on o.id = s.officer_id and o.disabled_at is null
 where s.session_hash = :h and s.expires_at > now()
   and s.last_seen_at > now() - make_interval(secs => :idle)
   and (k.id is not null or o.id is not null)
