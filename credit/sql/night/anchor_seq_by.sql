-- The last anchored sequence number of the roster chain as of a night (:p), 0 before any
-- (credit.night.scope.incremental).
select coalesce(max(seq), 0) from roster_chain_anchors where night <= :p
