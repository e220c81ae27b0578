-- How many rows a night held back.
select count(*) from quarantine where night = :n
