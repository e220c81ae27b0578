-- What a look-up reads first, in one statement and one snapshot (issue 11): the data version (as
-- rosters/data_version: the log's head through its primary key, the latest published night) and
-- the entity's public registration fields, 成立日期 included (null when the entity store does not know :u), and the
-- latest decision date of :u's own log (index roster_decisions(uscc, seq)): a public look-up asked
-- on or after it sees every closing decision in its own fold, else it judges what is hidden on the
-- whole record (rosters/hidden_entries_of; domain.md §3.4, §5.3). With them the entity's registration
-- status changes (status_nights, statuses, status_ons: the history rows whose status or status_on
-- differs from the row before, index (uscc, night)), from which the status on the day asked is read
-- (credit.rosters.read.status_as_of); status_on and first_night for an entity without history.
select h.seq, h.row_hash, (select max(n.night) from night_runs as n) as night,
       (select max(x.decision_date) from roster_decisions as x where x.uscc = :u) as last_decided,
       r.uscc, r.name, r.entity_kind, r.region_code, r.status, r.established_on, r.status_on, r.first_night,
       s.status_nights, s.statuses, s.status_ons
  from (select 1) as one
  left join lateral (select d.seq, d.row_hash from roster_decisions as d order by d.seq desc limit 1) as h on true
  left join registration as r on r.uscc = :u
  {status_changes}
