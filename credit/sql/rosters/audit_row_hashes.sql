-- The stored row_hash of the decisions :seqs (bigint[]), for credit audit verify to tell, when the
-- records of one night's head disagree, which of them the log agrees with
-- (credit.rosters.audit.verify_chain).
select seq, row_hash from roster_decisions where seq = any(cast(:seqs as bigint[]))
