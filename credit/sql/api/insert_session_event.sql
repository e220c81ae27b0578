-- Who signed in or out of the bureau page, or was refused (append-only).
insert into api_session_events (event, key_id, key_name, client) values (:e, :k, :n, :c)
