-- The stage's night columns left empty: a staged row has no first or last night until it is
-- merged (credit.night.merge.merge_into). stage: the stage table.
alter table {stage} alter column first_night drop not null, alter column last_night drop not null
