-- rosters/entries_as_of as the record stood after night :kn (contracts.md §2 --known-at; the log's
-- fold is cut at that night's head by credit/rosters/known.py): the name and entity kind are the
-- registration as the store held it then (registration_history up to :kn, index (uscc, night);
-- an entity without history rows by its current row when it arrived by then).
-- An entity dropped by a full snapshot by then is still named, by the last name the store held up to :kn.
select e.uscc, coalesce(r.name, (select h.name from registration_history as h where h.uscc = e.uscc and h.night <= :kn
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
  from roster_entry_detail_as_of(:d) e
  left join lateral (
        select x.name, x.entity_kind from (
            select h.name, h.entity_kind, h.change from registration_history as h
             where h.uscc = e.uscc and h.night <= :kn order by h.night desc limit 1) as x
         where x.change <> 'dropped'
        union all
        select g.name, g.entity_kind from registration as g
         where g.uscc = e.uscc and g.first_night <= :kn
           and not exists (select 1 from registration_history as h where h.uscc = e.uscc)
       ) as r on true
 where cast(:r as text) is null or e.roster = :r
 order by e.roster, e.included_on, e.uscc, e.entry_id
