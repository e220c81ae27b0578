-- Which of the fact keys :k the log already holds (a night appends only facts it does not hold).
-- One probe per key through the two partial unique indexes of migration 0002 (decisions, and
-- drafts `propose`): a predicate on `action` each, so that the planner may use them; without
-- it `fact_key = any(:k)` read the whole log. Parameters: :k (text[]).
select d.fact_key from roster_decisions as d
 where d.fact_key = any(cast(:k as text[])) and d.fact_key is not null and d.action <> 'propose'
union all
select d.fact_key from roster_decisions as d
 where d.fact_key = any(cast(:k as text[])) and d.fact_key is not null and d.action = 'propose'
