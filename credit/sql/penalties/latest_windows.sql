-- The publicity window of each case as known after night :k (all nights when null): the latest
-- row per case of the append-only penalty_publicity (domain.md §5.1, §6).
select distinct on (w.case_no) w.*
  from penalty_publicity as w
 where (cast(:k as date) is null or w.night <= :k)
   and (cast(:u as text[]) is null or w.uscc = any(cast(:u as text[])))
 order by w.case_no, w.night desc
