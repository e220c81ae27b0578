-- An officer's sign-in, sign-out or refused sign-in (append-only; key_name holds the login tried).
insert into api_session_events (event, officer_id, key_name, client) values (:e, :o, :n, :c)
