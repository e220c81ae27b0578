-- One file's held-back rows, from its staging into the quarantine (inside the night's transaction).
insert into quarantine (night, file, line, source, rule, reason, raw)
select night, file, line, source, rule, reason, raw
  from night_staging_quarantine
 where night = :night and digest = :digest and file = :file
 order by line
