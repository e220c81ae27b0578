-- Duplicated keys of one file, over every chunk it was staged in (credit.night.duplicates, issue 11):
-- decided over the file's candidate rows alone, those whose key's hash was seen more than once
-- (pg_temp.night_duplicate_candidates, filled by credit.night.staging.FileStager.candidates), with
-- their key as text and a hash of the whole canonical row. Every copy of a key is a candidate (equal
-- keys, equal hashes), so this finds what a look at every staged row finds: a key staged more than
-- once; exact copies (one row hash) keep their first line, conflicting copies are all held back
-- (contracts.md §1: quarantine what is ambiguous). A candidate whose key is staged once (a hash
-- collision) is not returned. Returns the rows held back, with the line of their key's first copy.
select line, conflicting, first_line, chunk, organisation_mismatch
  from (select line, chunk, organisation_mismatch,
               count(*) over by_key                                   as copies,
               min(line) over by_key                                  as first_line,
               min(dup_row) over by_key <> max(dup_row) over by_key   as conflicting
          from pg_temp.night_duplicate_candidates
        window by_key as (partition by dup_key)) as c
 where copies > 1
   and (conflicting or line > first_line)
 order by line
