-- The history rows of the merge's new and changed rows (credit.night.merge._merge_changes), in key
-- order. Formatted by Python: the current table (its history is name_history), the source's
-- columns, the changes table, the key's columns. Parameter: night.
insert into {name}_history (night, change, {columns}) select %(night)s, case when is_new then 'new' else 'changed' end, {columns} from {changes} order by {key}
