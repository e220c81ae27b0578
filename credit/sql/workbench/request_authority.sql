-- The authority that decides a request (the view request_authorities, migration 0037).
select authority from request_authorities where request_id = :i
