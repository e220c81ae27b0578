select e.uscc, coalesce(r.name, '') as name, e.roster, e.cause_code, e.cause, e.basis, e.included_on,
       e.decision_no, e.authority_name as authority, e.state, e.removed_on, e.removal_reason,
       r.entity_kind, e.authority as authority_code,
       (select d.facts ->> 'remedy' from roster_decisions as d where d.seq = e.entry_id) as remedy
  from roster_entry_detail_as_of(:d) e left join registration r using (uscc)
 where cast(:r as text) is null or e.roster = :r
 order by e.roster, e.included_on, e.uscc, e.entry_id
