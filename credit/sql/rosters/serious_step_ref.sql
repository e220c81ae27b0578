-- The fact key of the serious-list step (domain.md §4) an officer names by its seq (:s, null when the
-- reference is not a number) or its 文号 (:r): the procedure's key follows ':penalties:' in it
-- (credit.rosters.serious_officers.case_key). By the log's primary key, or its 文号 index.
select d.fact_key
  from roster_decisions as d
 where d.roster = 'serious' and (d.seq = cast(:s as bigint) or (cast(:s as bigint) is null and d.decision_no = :r))
 limit 1
