-- name: an entity a later full snapshot no longer delivers (contracts.md §1) keeps its decisions and
-- is still named on the roster (contracts.md §2), by the last name the store held (its 'dropped'
-- history row carries it; index (uscc, night); COALESCE reads it only when the store has no row).
select e.uscc, coalesce(r.name, (select h.name from registration_history as h where h.uscc = e.uscc
                                  order by h.night desc limit 1), '') as name, e.roster, e.cause_code, e.cause, e.basis, e.included_on,
       e.decision_no, e.authority_name as authority, e.state, e.removed_on, e.removal_reason,
       r.entity_kind, e.authority as authority_code,
       (select d.facts ->> 'remedy' from roster_decisions as d where d.seq = e.entry_id) as remedy,
       -- An upheld objection's revocation recorded before the reason became the rule's wording
       -- (133e4b8) carries the officer's note as its reason (the note is in its facts too): the
       -- rule version that words it instead (credit.rosters.env.shown_reasons; contracts.md §2,
       -- domain.md §3.4). One probe of roster_decisions(entry_id), for a revoked entry only.
       (select c.rule_version from roster_decisions as c
         where e.removal_action = 'revoke' and c.entry_id = e.entry_id and c.decision_no = e.removal_no
           and c.rule_id = 'any.revoke.objection_upheld' and c.reason = c.facts ->> 'note'
         limit 1) as removal_note_version
  from roster_entry_detail_as_of(:d) e left join registration r using (uscc)
 where cast(:r as text) is null or e.roster = :r
 order by e.roster, e.included_on, e.uscc, e.entry_id
