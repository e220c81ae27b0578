-- The authority (code) running a serious-list procedure (domain.md §4), named by its penalty's case
-- number, else by the seq or 文号 of one of its steps (as credit.rosters.serious reads a reference):
-- that of its proposal or notice (fact keys proposal|notice:penalties:<case_no>, by the fact-key
-- index). coalesce evaluates the fallback only when the case number names nothing.
select coalesce(
    (select d.authority from roster_decisions as d
      where d.roster = 'serious' and d.fact_key in ('proposal:penalties:' || :r, 'notice:penalties:' || :r)
      order by d.seq limit 1),
    (select d.authority from roster_decisions as s
       join roster_decisions as d
         on d.fact_key in ('proposal:penalties:' || split_part(s.fact_key, ':penalties:', 2),
                           'notice:penalties:' || split_part(s.fact_key, ':penalties:', 2))
      where s.roster = 'serious' and s.fact_key like '%:penalties:%'
        and (s.decision_no = :r or cast(s.seq as text) = :r)
      order by d.seq limit 1))
