-- The first published night: the system's own history of the rosters starts there (domain.md §10;
-- credit.rosters.known.first_night). Null while no night is published.
select min(night) from night_runs
