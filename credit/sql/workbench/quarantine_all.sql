-- Every row a night held back, by file and line (the CSV download).
select file, line, rule, reason, raw from quarantine where night = :n order by file, line
