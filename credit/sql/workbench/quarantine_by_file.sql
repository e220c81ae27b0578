-- Rows held back per file of a night.
select file, source, count(*) as rows from quarantine where night = :n group by file, source order by file
