-- How many of the merge's changes (changes) are new rows and how many changed ones
-- (credit.night.merge._merge_changes).
select count(*) filter (where is_new), count(*) filter (where not is_new) from {changes}
