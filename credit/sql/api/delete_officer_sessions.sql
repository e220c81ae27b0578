-- End every session of an account (disabled, or its password changed).
delete from api_sessions where officer_id = :i
