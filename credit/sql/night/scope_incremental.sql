-- The entities an incremental night works on (credit.night.scope.for_night, issue 11), one row
-- per (uscc, reason); an entity may come for several reasons. A superset is harmless (the night
-- re-decides and re-grades it to the same result); a missing entity is a wrong night, which the
-- equivalence test (tests/db/night/test_incremental.py) looks for.
-- Parameters: :night tonight; :prev the previous published night; :prev_seq the decision log's
-- head after it; :finding_years, :inspection_years (grading.yaml windows); :bank_window (true when
-- the month changed: bank credit's window of months moved); :escalation (the 3-year escalation of
-- domain.md §3.5 is in force tonight); :tax_window with :tax_from_prev, :tax_from (the first
-- assessment year graded on the previous night and tonight, credit.grading.indicators
-- .tax_window_start: true when they differ), :social_from_prev and :social_from (the first
-- period graded on each, social_window_start: equal unless the window moved tonight), and
-- :month_prev, :month (the last period graded on the previous night and tonight, social_window_end:
-- the night's month).
with
-- 1. inputs changed tonight: the store's history rows of tonight (new, changed, dropped), rows of
--    sources kept without history that changed tonight, and annual reports held in quarantine
--    tonight (a held row may be the filing: domain.md §3.1, issue 13).
changed as (
    select uscc, 'input:registration' as reason from registration_history where night = :night
    union all select uscc, 'input:annual_reports' from annual_reports_history where night = :night
    union all select uscc, 'input:tax' from tax_history where night = :night
    union all select uscc, 'input:social_security' from social_security where last_night = :night
    union all select uscc, 'input:penalties' from penalties_history where night = :night
    union all select uscc, 'input:findings' from findings_history where night = :night
    -- a finding corrected tonight to name another entity (same finding_id, another USCC): the
    -- entity an earlier version named changes too (its listing on the finding is revoked as wrong,
    -- rosters/finding_reassigned.sql; its grade no longer counts the finding). The versions by the
    -- history's key: the first one at (first_night, finding_id), the later ones by the night range.
    union all select p.uscc, 'input:findings_previous'
      from findings_history as h
      join findings as f on f.finding_id = h.finding_id
     cross join lateral (select x.uscc from findings_history as x
                          where x.night = f.first_night and x.finding_id = h.finding_id
                         union
                         select x.uscc from findings_history as x
                          where x.night > f.first_night and x.night < :night
                            and x.finding_id = h.finding_id) as p
     where h.night = :night and h.change = 'changed' and p.uscc is distinct from h.uscc
    -- a penalty corrected tonight to name another entity (same case_no, another USCC): the entity
    -- an earlier version named no longer has it counted (domain.md §6, §7). The versions by the
    -- history's index (case_no, night), migration 0035.
    union all select distinct p.uscc, 'input:penalties_previous'
      from penalties_history as h
      join penalties_history as p on p.case_no = h.case_no and p.night < :night
     where h.night = :night and h.change = 'changed' and p.uscc is distinct from h.uscc
    union all select uscc, 'input:inspection_results' from inspection_results_history where night = :night
    union all select uscc, 'input:bank_credit' from bank_credit_history where night = :night
    union all select uscc, 'input:quarantined_annual_reports' from quarantined_annual_reports where night = :night
),
-- 2. the log and the officers since the previous night: decisions recorded after its head
--    (officers' assessments, consents, drafts confirmed, corrections), and every entity with an
--    application or objection on file — an application falls due by the working-day calendar
--    (domain.md §3.3, §4, §5), so its entity is looked at every night while the bureau holds it.
officers as (
    select uscc, 'log:decisions_since' as reason from roster_decisions where seq > :prev_seq and uscc is not null
    union all select uscc, 'log:applications' from roster_requests where uscc is not null
    -- a decision takes effect on its date (roster_entry_detail_as_of): one recorded earlier with a
    -- later date (an officer's, an imported one) changes the state on that night
    union all select uscc, 'log:decisions_dated' from roster_decisions
     where decision_date > :prev and decision_date <= :night and uscc is not null
),
-- 3. what time alone changes tonight, each for the dates that fall in (previous night, tonight]
timed as (
    -- the serious-list procedure (domain.md §4): notice, statement window (5 working days),
    -- listing and publication are due by dates of the calendar — every open case, every night
    select d.uscc, 'time:serious_procedure' as reason
      from roster_decisions as d
     where d.roster = 'serious' and d.uscc is not null
       and (d.fact_key like 'proposal:penalties:%' or d.fact_key like 'notice:penalties:%')
       and not exists (select 1 from roster_decisions as x
                        where x.fact_key = 'publish:penalties:' || split_part(d.fact_key, ':penalties:', 2))
       and not exists (select 1 from roster_decisions as x
                        where x.fact_key = 'revoke:penalties:' || split_part(d.fact_key, ':penalties:', 2))
       and not exists (select 1 from roster_decisions as x
                        where x.fact_key = 'decline:penalties:' || split_part(d.fact_key, ':penalties:', 2))
    union all
    -- a serious listing whose period is full (removed the day after, domain.md §4), not yet closed
    select d.uscc, 'time:serious_expiry'
      from roster_decisions as d
     where d.roster = 'serious' and d.action in ('include', 'escalate') and d.effective_until < :night
       and not exists (select 1 from roster_decisions as c
                        where c.entry_id = d.seq and c.action in ('remove', 'revoke'))
    union all
    -- 3 years on the abnormal roster (domain.md §3.5), where the rule is in force
    select d.uscc, 'time:abnormal_3_years'
      from roster_decisions as d
     where cast(:escalation as boolean) and d.roster = 'abnormal' and d.action = 'include'
       and least(d.decision_date, coalesce(d.trigger_date, d.decision_date)) <= (:night - interval '3 years')::date + 1
       and not exists (select 1 from roster_decisions as c
                        where c.entry_id = d.seq and c.action in ('remove', 'revoke'))
    union all
    -- 成立不满一年 ends (grading.yaml NEW_ENTITY; credit.grading.indicators.basic_attributes): the
    -- first year ends at 24:00 on the corresponding day (民法典 art. 202; PostgreSQL's `+ 1 year`
    -- gives 28 February for a 29 February, as the article does), so the entity is new no longer
    -- from the night after it: that day in [prev, night). The first line is a superset written on
    -- established_on itself, so that registration(established_on) finds them (migration 0030); the
    -- exact test then keeps the right ones.
    select uscc, 'time:first_year_over' from registration
     where established_on between (cast(:prev as date) - interval '1 year')::date - 3
                              and (cast(:night as date) - interval '1 year')::date + 3
       and (established_on + interval '1 year')::date >= :prev
       and (established_on + interval '1 year')::date < :night
    union all
    -- findings: effective from their day (causes 2–4, domain.md §3.1), and leaving the grading's
    -- look-back (grading.yaml finding_years: counted through the night `found_on + years`, 24:00 on
    -- the corresponding day, domain.md §12; it leaves on the night after, which the exact test's
    -- `found_on + years` in [prev, night] covers with a day's margin)
    -- The first two lines are a superset of the exact test below them (a year later is the same
    -- day ± 1 for a 29 February: a margin of 3 days), written on found_on itself so that
    -- findings(found_on) finds the rows (migration 0030); the exact test then keeps the right ones.
    select uscc, 'time:finding_dates' from findings
     where ((found_on > :prev and found_on <= :night)
            or found_on between (cast(:prev as date) - make_interval(years => :finding_years))::date - 3
                            and (cast(:night as date) - make_interval(years => :finding_years))::date + 3)
       and ((found_on > :prev and found_on <= :night)
            or ((found_on + make_interval(years => :finding_years))::date + 1 > :prev
                and (found_on + make_interval(years => :finding_years))::date <= :night))
    union all
    -- cause 2's ordered period whose last day (found_on of `ordered_disclosure_overdue`) was a rest
    -- day expires on the next working day (credit.rosters.decide._ordered_period_expiry, 民法典 art.
    -- 203): the finding waits for that night. No holiday block is 15 days long (the longest, Spring
    -- Festival or National Day, is 8–9 with the weekend): a superset of the nights of expiry.
    select uscc, 'time:ordered_period_expiry' from findings
     where kind = 'ordered_disclosure_overdue'
       and found_on > (cast(:prev as date) - 15) and found_on < :night
    union all
    select uscc, 'time:inspection_dates' from inspection_results   -- as findings: inspection_results(inspected_on)
     where ((inspected_on > :prev and inspected_on <= :night)
            or inspected_on between (cast(:prev as date) - make_interval(years => :inspection_years))::date - 3
                                and (cast(:night as date) - make_interval(years => :inspection_years))::date + 3)
       and ((inspected_on > :prev and inspected_on <= :night)
            or ((inspected_on + make_interval(years => :inspection_years))::date + 1 > :prev
                and (inspected_on + make_interval(years => :inspection_years))::date <= :night))
    union all
    -- penalties: decided, performed, revoked, restriction ended (domain.md §4, §5) … (an index
    -- on each date, migration 0030)
    select uscc, 'time:penalty_dates' from penalties
     where (decided_on > :prev and decided_on <= :night)
        or (fulfilled_on > :prev and fulfilled_on <= :night)
        or (revoked_on > :prev and revoked_on <= :night)
        or (restricted_until >= :prev and restricted_until < :night)
    union all
    -- … and their publicity window opening or ending, or withdrawn (domain.md §5.1, §6)
    select w.uscc, 'time:penalty_publicity'
      from (select distinct on (x.case_no) x.* from penalty_publicity as x
             where x.night <= :night order by x.case_no, x.night desc) as w
     where (w.publicity_from > :prev and w.publicity_from <= :night)
        or (w.publicity_until >= :prev and w.publicity_until < :night)
        or (w.revoked_on > :prev and w.revoked_on <= :night)
        or (w.withdrawn_on > :prev and w.withdrawn_on <= :night)
        or (w.repair_from > :prev and w.repair_from <= :night)
        or (w.withdraw_due >= :prev and w.withdraw_due <= :night)
    union all
    -- bank credit: the window of months (grading.yaml bank_credit_months) moved with the month
    select distinct uscc, 'time:bank_credit_month' from bank_credit where cast(:bank_window as boolean)
    union all
    -- social security: the window of months moved with the month: the entities with a period that
    -- left it tonight (grading.yaml social_security_months; their latest headcount or arrears
    -- months may be that period's: a stale one no longer grades; domain.md §11), and those with a
    -- period that reached the night's month tonight (a later period waits for its month,
    -- grading/social.sql). By social_security(period), migration 0050: one or two months' rows on
    -- the first night of a month (the whole table was read before); nothing on other nights
    -- (both ranges empty: :social_from_prev = :social_from, :month_prev = :month).
    select distinct uscc, 'time:social_security_month' from social_security
     where (period >= :social_from_prev and period < :social_from)
        or (period > :month_prev and period <= :month)
    union all
    -- tax: the window of assessment years (grading.yaml tax_years) moved with the year: the
    -- entities with a year that left it tonight. A new year is a global event today (the night
    -- runs full, credit.night.scope.global_events), so this brings nobody on an incremental night;
    -- it keeps the scope right should the year end ever be an incremental night.
    select distinct uscc, 'time:tax_year' from tax
     where cast(:tax_window as boolean) and assessed_year >= :tax_from_prev and assessed_year < :tax_from
)
select uscc, reason from changed
union all select uscc, reason from officers
union all select uscc, reason from timed
