-- How many roster decisions a restore brought back (credit.backup.restore).
select count(*) from roster_decisions
