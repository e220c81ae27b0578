-- The history rows of the store's rows a full file drops (credit.night.merge._merge_changes).
-- Formatted by Python: the current table (its history is name_history), the source's columns,
-- the stored ones (t.c, ...), the condition of the rows gone (night/merge_gone.sql and the
-- caller's, with parameters of their own). Parameter: night.
insert into {name}_history (night, change, {columns}) select %(night)s, 'dropped', {stored} from {name} t where {gone}
