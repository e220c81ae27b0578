select n.seq as notice_seq, n.uscc, n.decision_date as noticed_on, n.facts::text as facts,
       n.facts ->> 'case_no' as case_no, n.facts ->> 'category' as family, r.region_code,
       (select array_agg(m) from jsonb_array_elements_text(n.facts -> 'measures') m) as measures
  from roster_decisions n left join registration r using (uscc)
 where n.action = 'notice' and n.roster = 'serious'
   and not exists (select 1 from roster_decisions x where x.refers_to = n.seq
                     and x.action in ('revoke', 'include', 'propose'))
   and not exists (select 1 from roster_requests q where q.kind = 'objection' and q.target_seq = n.seq
                     and not exists (select 1 from roster_decisions a where a.request_id = q.id))
