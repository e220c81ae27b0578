-- The latest publicity window of the cases :c (penalty_publicity, domain.md §5.1, §6): what a
-- scoped night compares its penalties' windows with (credit.penalties.store.maintain_windows).
select distinct on (w.case_no) w.*
  from penalty_publicity as w
 where w.case_no = any(cast(:c as text[]))
 order by w.case_no, w.night desc
