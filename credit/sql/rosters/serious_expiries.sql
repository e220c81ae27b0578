select e.entry_id, e.uscc, e.roster, e.cause_code, e.effective_until, r.region_code,
       d.rule_version as listing_rule_version
  from roster_entry_detail_as_of(:n) e join roster_decisions d on d.seq = e.entry_id
  left join registration r on r.uscc = e.uscc
 where e.state = 'listed' and e.roster = 'serious' and e.effective_until < :n
