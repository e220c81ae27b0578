-- The staged rows that are new or differ from the store, found once for the counts, the history
-- and the upsert (credit.night.merge._merge_changes): a temporary table dropped at commit, with
-- is_new. Formatted by Python: the changes table, the staged columns (s.c, ...), the key's first
-- column, the stage, the current table, the join on the key (t.k = s.k and ...), the staged and
-- the stored non-key columns (s.c, ... and t.c, ...).
create temporary table {changes} on commit drop as select {staged}, t.{first_key} is null as is_new from {stage} s left join {name} t on {join} where t.{first_key} is null or ({staged_rest}) is distinct from ({stored_rest})
