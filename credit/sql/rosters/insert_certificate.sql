-- Record an issued screening certificate (credit.rosters.certificates.issue_certificate). The same
-- answer asked twice in one second is one certificate: a second insert of its id does nothing.
insert into screening_certificates (certificate_id, digest, issued_at, as_of, uscc_count, data_version,
                                    key_id, config_version)
values (:i, :d, :t, :a, :n, cast(:v as jsonb), :k, :cv)
on conflict do nothing
