-- The summary stored with a published night (`credit summary --date D`, and what an interrupted
-- run says became of its night); no row: the night is not published.
select summary
  from night_runs
 where night = :n
