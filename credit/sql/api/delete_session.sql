-- Sign-out (or an expired session met): the session ends server-side; returns whose it was.
delete from api_sessions as s where s.session_hash = :h
returning s.key_id, s.officer_id,
          coalesce((select k.name from api_keys as k where k.id = s.key_id),
                   (select o.login from officers as o where o.id = s.officer_id)) as key_name
