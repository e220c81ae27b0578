-- An officer's sign-in to the workbench: only the SHA-256 of the session id in the cookie is stored.
insert into api_sessions (session_hash, officer_id, created_at, last_seen_at, expires_at, client)
values (:h, :o, now(), now(), now() + make_interval(secs => :absolute), :c)
