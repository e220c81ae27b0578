-- Where the system's own history of the rosters starts (domain.md §10; credit.rosters.known.first_night):
-- the first published night, or the earliest decision imported before it (legacy listings loaded by
-- `credit roster import`, credit.rosters.repair.import_decision: rosters.yaml keeps earlier years'
-- decisions, domain.md §3.5), whichever is earlier. The imports are the log's rows before the first
-- row a night appended (actor 'night'): a scan of the primary key that stops there, so it reads the
-- imported rows only. Null while no night is published.
select case when n.first is null then null else least(n.first, i.earliest) end
  from (select min(night) as first from night_runs) as n,
       (select min(d.decision_date) as earliest
          from roster_decisions as d
         where d.seq < coalesce((select x.seq from roster_decisions as x where x.actor = 'night' order by x.seq limit 1),
                                9223372036854775807)) as i
