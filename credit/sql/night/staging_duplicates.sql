-- Duplicated keys of one file, over every chunk it was staged in (credit.night.ingest, issue 11):
-- a key staged more than once. Exact copies (one row hash) keep their first line; conflicting
-- copies are all held back (contracts.md §1: quarantine what is ambiguous). The rows held back are
-- removed from the file's accepted rows and returned, with the line of the key's first copy.
with keys as (
    select dup_key,
           min(line)                   as first_line,
           min(dup_row) <> max(dup_row) as conflicting
      from night_staging_rows
     where night = :night and digest = :digest and file = :file
     group by dup_key
    having count(*) > 1
)
delete from night_staging_rows r
 using keys k
 where r.night = :night and r.digest = :digest and r.file = :file
   and r.dup_key = k.dup_key
   and (k.conflicting or r.line > k.first_line)
returning r.line, k.conflicting, k.first_line
