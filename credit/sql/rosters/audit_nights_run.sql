-- The nights that have a run record (night_runs), for credit audit verify to name a published
-- night (a signed line of the anchor file) whose record was deleted (credit.rosters.audit.verify_chain).
select night from night_runs
