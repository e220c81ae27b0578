-- name: an entity a later full snapshot no longer delivers (contracts.md §1) keeps its decisions and
-- is still named on the roster (contracts.md §2), by the last name the store held (its 'dropped'
-- history row carries it; index (uscc, night); COALESCE reads it only when the store has no row).
select e.uscc, coalesce(r.name, (select h.name from registration_history as h where h.uscc = e.uscc
                                  order by h.night desc limit 1), '') as name, e.roster, e.cause_code, e.cause, e.basis, e.included_on,
       e.decision_no, e.authority_name as authority, e.state, e.removed_on, e.removal_reason,
       r.entity_kind, e.authority as authority_code,
       (select d.facts ->> 'remedy' from roster_decisions as d where d.seq = e.entry_id) as remedy
  from roster_entry_detail_as_of(:d) e left join registration r using (uscc)
 where cast(:r as text) is null or e.roster = :r
 order by e.roster, e.included_on, e.uscc, e.entry_id
