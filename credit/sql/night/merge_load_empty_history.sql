-- The history's new rows of a current table just loaded into an empty one, every row of which is
-- tonight's (credit.night.merge._load_empty). Formatted by Python: the history table, the source's
-- columns, the current table. Parameter: night.
insert into {history} (night, change, {columns}) select %(night)s, 'new', {columns} from {name}
