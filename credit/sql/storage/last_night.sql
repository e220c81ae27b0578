-- The last published night.
select max(night) from night_runs
