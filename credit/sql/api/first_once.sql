-- What the first post of a submission id sent, and its answer (credit.api.once).
select request_hash, answer from submissions_once where caller = :c and id_hash = :h
