-- A condition, not a statement (credit.sqlfiles.fragment): the store's row t stands for none of
-- the keys the file's held-back rows keep (night/held_back_keys.sql; k NULL keeps every row;
-- credit.night.merge._held_back_keys). Formatted by Python: the held keys' table, the column of t
-- they are matched on (credit.night.merge.kept_on).
not exists (select 1 from {kept} h where h.k is null or h.k = t.{column}::text)
