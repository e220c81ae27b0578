-- The merge's new and changed rows into the current table, in key order: a changed row updates
-- the stored one (its last night too) only where a non-key column differs
-- (credit.night.merge._merge_changes). Formatted by Python: the current table, the source's
-- columns, the changes table, the key's columns, the assignments (c = excluded.c, ...), the
-- stored and the excluded non-key columns (name.c, ... and excluded.c, ...). Parameter: night.
insert into {name} ({columns}, first_night, last_night) select {columns}, %(night)s, %(night)s from {changes} order by {key} on conflict ({key}) do update set {updates}, last_night = excluded.last_night where ({stored_rest}) is distinct from ({excluded_rest})
