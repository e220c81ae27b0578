-- One page of the rows a night held back, by file and line.
select file, line, rule, reason, raw from quarantine where night = :n order by file, line limit :l offset :o
