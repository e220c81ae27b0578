-- Duplicated keys of one file, over every chunk it was staged in (credit.night.ingest, issue 11):
-- a key staged more than once. Exact copies (one row hash) keep their first line; conflicting
-- copies are all held back (contracts.md §1: quarantine what is ambiguous). The rows held back are
-- removed from the file's accepted rows and returned, with the line of the key's first copy.
-- One pass over the file's rows (a window by key), then the held rows by their row address: a
-- join on the key itself would be planned on an unanalysed staging table, as a nested loop.
-- {rows}: the staging table of the file's source (night_staging_<source>, migration 0027).
with copies as (
    select ctid                                                   as at,
           line,
           count(*) over by_key                                   as copies,
           min(line) over by_key                                  as first_line,
           min(dup_row) over by_key <> max(dup_row) over by_key   as conflicting
      from {rows}
     where night = :night and digest = :digest and file = :file
    window by_key as (partition by dup_key)
)
delete from {rows} r
 using copies c
 where r.ctid = c.at
   and c.copies > 1
   and (c.conflicting or c.line > c.first_line)
returning r.line, c.conflicting, c.first_line
