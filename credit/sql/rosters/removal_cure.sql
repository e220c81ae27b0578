-- The day an abnormal-roster entry's cause was cured, as the night's removal reads it
-- (rosters/removal_candidates.sql): the missing report filed (cause 1, the report year of the
-- listing), else the earliest cure established (查实) after the fact (causes 2–4: a curing finding
-- or a registered change of address, view cure_events), known by :on. An application's decide-by
-- date counts from it when it came after receipt (credit.rosters.read.removal_limit_start,
-- domain.md §3.3), as the removal decision's due date does.
-- :kn (a night, or null): as the record stood after that night (contracts.md §2 --known-at).
select coalesce(
         (select a.filed_on from annual_reports as a
           where d.cause_code = 'annual_report_missing' and a.uscc = d.uscc
             and a.report_year = (d.facts ->> 'report_year')::bigint and a.filed_on <= :on
             and (cast(:kn as date) is null or a.first_night <= :kn)),
         (select min(e.cured_on) from cure_events as e
           where e.uscc = d.uscc and e.cause_code = d.cause_code
             and e.cured_on >= coalesce(d.trigger_date, d.decision_date) and e.cured_on <= :on
             and (cast(:kn as date) is null or e.recorded_night <= :kn)))
  from roster_decisions as d
 where d.seq = :e
