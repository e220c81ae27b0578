-- The latest decision date of one serious-list procedure (domain.md §4): its steps (fact keys
-- '<step>:penalties:<case>', the listing 'include:serious:penalties:<case>') and what ended its
-- listing (the removal or revocation naming the listing's entry). An officer's step dated before
-- it would rewrite what the log already said of an earlier day.
-- Parameters: :k, the penalty's case number.
select max(d.decision_date)
  from roster_decisions as d
 where d.roster = 'serious'
   and (d.fact_key = any(array(select s || ':penalties:' || cast(:k as text)
                                 from unnest(array['proposal', 'notice', 'assess', 'consent', 'decline',
                                                   'revoke', 'publish', 'include:serious']) as s))
        or d.entry_id in (select i.seq from roster_decisions as i
                           where i.fact_key = 'include:serious:penalties:' || cast(:k as text)))
