-- Whether the rosters' fold roster_entries_as_of(date) exists (credit.grading.indicators).
select to_regprocedure('roster_entries_as_of(date)') is not null
