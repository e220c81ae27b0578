-- A bureau page sign-in: only the SHA-256 of the session id in the cookie is stored.
insert into api_sessions (session_hash, key_id, created_at, last_seen_at, expires_at, client)
values (:h, :k, now(), now(), now() + make_interval(secs => :absolute), :c)
