-- Who applied (counter / key:<id> / contact:<sha256> / receipt:<sha256>) and the receipt token's hash.
insert into repair_applicants (request_id, applicant, receipt_hash) values (:i, :a, :h)
