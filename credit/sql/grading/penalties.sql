-- Supervision: administrative penalties decided within the look-back window (domain.md §6: most
-- penalties are publicised for up to 3 years, 总局令第45号 art. 13). Warning-only decisions are
-- never published (art. 2) and are not counted. `heavier` is 较重行政处罚 (domain.md §4).
select
    p.rn,
    count(*)                                          as penalties,
    count(*) filter (where x.heavier)                 as heavier_penalties,
    coalesce(sum(x.fine_amount), 0)                   as fines_total,
    count(*) filter (where x.fulfilled_on is null)    as penalties_unfulfilled
from penalties as x
join grading_population as p using (uscc)
where x.decided_on > (:night - make_interval(years => :penalty_years))::date
  and not (x.measures <@ array['warning']::text[])
group by p.rn
