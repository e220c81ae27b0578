-- The first post's answer, written in the transaction that claimed the id (credit.api.once).
update submissions_once set answer = :a where caller = :c and id_hash = :h and answer is null
