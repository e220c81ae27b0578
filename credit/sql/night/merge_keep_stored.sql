-- The staged rows of stored keys take the store's values of the optional columns the file does
-- not carry (credit.night.merge._keep_stored, contracts.md section 1; outsider's report M1).
-- Formatted by Python: the stage table, the assignments (column = t.column), the source's current
-- table, the join on its key (t.k = s.k and ...).
update {stage} s set {assignments} from {name} t where {join}
