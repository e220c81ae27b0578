-- Penalties that open the serious-list procedure (拟列入, domain.md §4): a heavier administrative
-- penalty (较重行政处罚: the drop's flag, 44号令 art. 2 item 1, or a measure of items 2–3, :hm) in an
-- offence family of 44号令 arts. 5–10 (:f) or, since 2024-05-01, serious falsification of publicity
-- information (企业信息公示暂行条例 art. 18 para. 2; the caller checks the rule's from-date).
-- Whatever the entity's registration status: the listing is decided in the procedure of the
-- penalty, and a penalty that revokes the business licence is itself a heavier penalty (§4 item 2).
-- A penalty already revoked (revoked_on) proposes nothing; a case already in the log (a proposal,
-- or a notice of the time before the procedure) is not proposed again.
-- Parameters: :f families, :hm heavier measures, :ff facts from, :n the night.
-- ``due_start``: the night the penalty reached the store (rules.yaml ser.propose: proposed the night
-- it arrives, 0 days): counted from its decision, which a drop brings a night later at the
-- earliest, every proposal was late (an outsider's acceptance pass).
select p.case_no, p.uscc, p.decided_on as trigger_date, p.first_night as due_start, p.category as family,
       coalesce(r.region_code, substr(p.uscc, 3, 6)) as region_code,
       jsonb_build_object('source', 'penalties', 'case_no', p.case_no, 'uscc', p.uscc,
                          'decided_on', p.decided_on, 'doc_no', p.doc_no, 'category', p.category,
                          'measures', p.measures, 'fine_amount', p.fine_amount, 'heavier', p.heavier,
                          'restricted_until', p.restricted_until,
                          'registration_status', r.status)::text as facts
  from penalties as p
  left join registration as r using (uscc)
 where (p.heavier or p.measures && cast(:hm as text[]))
   and (p.category = any(cast(:f as text[])) or p.category = 'false_disclosure')
   and p.decided_on >= :ff and p.decided_on <= :n
   and (p.revoked_on is null or p.revoked_on > :n)
   -- two equality probes, not one `in (…)`: that one was a nested loop over the whole log per penalty
   and not exists (select 1 from roster_decisions as d where d.fact_key = 'proposal:penalties:' || p.case_no)
   and not exists (select 1 from roster_decisions as d where d.fact_key = 'notice:penalties:' || p.case_no)
 order by p.case_no
