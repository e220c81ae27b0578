-- One published night with its stored summary.
select night, config_version, finished_at, summary from night_runs where night = :n
