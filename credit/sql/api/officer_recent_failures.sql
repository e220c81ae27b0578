-- Refused sign-ins of an account within the last :minutes minutes since its last successful one
-- (the lockout, config/api.yaml officer_lockout).
select count(*) from api_session_events as e
 where e.officer_id = :o and e.event = 'login_refused'
   and e.at > now() - make_interval(mins => :minutes)
   and e.at > coalesce((select max(s.at) from api_session_events as s
                         where s.officer_id = :o and s.event = 'login'), '-infinity')
