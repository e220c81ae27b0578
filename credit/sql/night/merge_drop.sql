-- The store's rows a full file drops (credit.night.merge._merge_changes). Formatted by Python: the
-- current table, the condition of the rows gone (as in night/merge_dropped_history.sql).
delete from {name} t where {gone}
