-- The public registration fields of :u as the store holds them now, with its registration status
-- changes as rosters/entity_head reads them (index (uscc, night); credit.rosters.read.status_as_of).
select r.uscc, r.name, r.entity_kind, r.region_code, r.status, r.established_on, r.status_on, r.first_night,
       s.status_nights, s.statuses, s.status_ons
  from registration as r
  {status_changes}
 where r.uscc = :u
