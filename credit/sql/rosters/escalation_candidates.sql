select e.entry_id as abnormal_entry, e.uscc, e.included_on, r.region_code
  from roster_entry_detail_as_of(:n) e join registration r using (uscc)
 where e.state = 'listed' and e.roster = 'abnormal' and r.status = any(cast(:s as text[]))
