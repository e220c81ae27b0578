-- A condition, not a statement (credit.sqlfiles.fragment): the store's row t that a full file no
-- longer has, none of the stage's rows s matching its key (credit.night.merge._merge_changes).
-- Formatted by Python: the stage table, the join on the key (t.k = s.k and ...).
not exists (select 1 from {stage} s where {join})
