-- The application a receipt token was issued for (only the token's SHA-256 is stored).
select request_id from repair_applicants where receipt_hash = :h
