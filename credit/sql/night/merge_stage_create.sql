-- The merge's stage table (stage), shaped like the source's current table (name), dropped at
-- commit (credit.night.merge.merge_into).
create temporary table {stage} (like {name} including defaults) on commit drop
