-- Causes 2–4 (domain.md §3.1, §3.2, §8) from findings and spot-check results.
-- `order_served_on` is the day an order to disclose was served, when the drop carries one (it does
-- not yet: contracts.md §1); the cause then arises only when its 10-day period expires unmet (the
-- expiry is computed by the calendar in Python; `cured_on` is the first cure on or after the order,
-- or, without an order, on or after the fact).
-- Which finding establishes which cause, and which its cure: table cure_kinds.
-- Parameters: :facts_from, :night, :statuses.
with facts as (
    select f.uscc,
           k.cause_code                                                   as cause_code,
           f.found_on                                                     as trigger_date,
           cast(null as date)                                             as order_served_on,
           'findings:' || f.finding_id                                    as fact_key,
           jsonb_build_object('source', 'findings', 'finding_id', f.finding_id, 'kind', f.kind,
                              'found_on', f.found_on, 'doc_no', f.doc_no,
                              'department', f.department)                 as facts
      from findings as f
      join cure_kinds as k on k.finding_kind = f.kind
     where f.found_on >= :facts_from and f.found_on <= :night
    union all
    -- Spot checks establish causes 3 and 4 on the inspection day (查实). A `not_disclosed` result is
    -- NOT cause 2 by itself: the 10 days run from the bureau's order (责令, 68号令 art. 7, domain.md
    -- §3.2), which is served after the inspection and is not in the drop (inspection_results has no
    -- order date, contracts.md §1). Cause 2 arises from the documented source instead: the finding
    -- `ordered_disclosure_overdue` (未在责令期限内公示) that establishes the ordered period ran out
    -- (first branch above).
    select i.uscc,
           case i.result_code when 'unreachable' then 'unreachable' else 'false_disclosure' end,
           i.inspected_on,
           cast(null as date),
           'inspection_results:' || i.task_id || ':' || i.uscc,
           jsonb_build_object('source', 'inspection_results', 'task_id', i.task_id, 'uscc', i.uscc,
                              'result_code', i.result_code, 'result', i.result,
                              'inspected_on', i.inspected_on, 'doc_no', i.doc_no)
      from inspection_results as i
     where i.result_code in ('unreachable', 'false_disclosure')
       and i.inspected_on >= :facts_from and i.inspected_on <= :night
)
select x.uscc, r.entity_kind, r.region_code, x.cause_code, x.trigger_date, x.order_served_on, x.fact_key,
       (x.facts || jsonb_build_object('registration_address', r.address))::text as facts,
       -- the first cure established (查实) since the order, else since the fact, by the night: a
       -- cause of rules.yaml `lapses_on_cure` (3 and 4) cured by then is not listed (domain.md §3.3)
       (select min(c.cured_on) from cure_events as c
         where c.uscc = x.uscc and c.cause_code = x.cause_code
           and c.cured_on >= coalesce(x.order_served_on, x.trigger_date) and c.cured_on <= :night) as cured_on
  from facts as x
  join registration as r using (uscc)
 where r.status = any(cast(:statuses as text[]))
