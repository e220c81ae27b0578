-- Who applied (counter / key:<id> / contact:<sha256> / receipt:<sha256>) and the receipt's hash.
select applicant, receipt_hash from repair_applicants where request_id = :i
