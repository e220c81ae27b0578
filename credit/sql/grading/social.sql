-- Social security (社保): the latest insured headcount and arrears months, and the headcount
-- :trend_months before the latest headcount for the trend (domain.md §11).
-- Each field is the latest period's that carries a value (contracts.md §1: empty means unknown):
-- a period whose insured_count or arrears_months is empty says nothing about them, and must not
-- hide the headcount and its trend, or the arrears, of the period before (a latest period with an
-- empty headcount graded a 90% drop as no data; outsider's pass). The trend compares the
-- latest headcount known with the headcount of the period exactly :trend_months before it (none
-- there, or an empty one: nothing to compare).
-- The latest headcount and the latest arrears months count only from a period within grading.yaml's
-- window (social_security_months, domain.md §11): the night's month − social_security_months or
-- later, :social_since (YYYY-MM, a value: credit.grading.indicators.social_window_start; '0000-00'
-- without the key: any period). A period before it is stale: a 2021-01 period with 6
-- months' arrears no longer grades a night of 2026 (outsider's pass). The earlier headcount of the
-- trend is read wherever it lies: it is :trend_months before a latest headcount inside the window.
-- A period after the night's month, :social_until (YYYY-MM, credit.grading.indicators.social_window_end),
-- is not read until its month comes: a contribution month that has not begun cannot describe the
-- entity yet, and the latest headcount was that future period's (the ingest holds such a period,
-- contracts.md §1, credit/contract/sources.py month not_after_night; a store loaded before that
-- rule, or a night re-graded after later ones were loaded, still has them). The month's move
-- brings the entities with such a period into an incremental night (its time reason, social
-- security month: sql/night/scope_incremental.sql).
-- :ranged = 1: the population is one chunk of several, a contiguous USCC range (issue 11); the
-- fact tables are read between its first and last USCC by their uscc index, :lo and :hi (values,
-- credit.grading.indicators.chunk_bounds). 0: the condition folds away when planned (whole or
-- scoped population).
--
-- One pass over the population's rows: each row learns its entity's latest period with a headcount
-- and with arrears months (windows by uscc), and the rows are folded into one row per entity
-- (social_security's key is (uscc, period): at most one row of each period). Before the single
-- pass, the latest rows were found (distinct on, a sort by uscc and period) and then joined to a
-- second pass over social_security for the earlier period. At 1 M, a chunk of 200,000 entities
-- (411,000 rows in its range; EXPLAIN ANALYZE, timing off, 3 runs each, interleaved on the shared
-- machine): 1.1–1.8 s against 2.1–2.7 s; a scoped night of 20,000 entities 0.55–0.72 s against
-- 0.95–1.6 s (measured with the latest period of any field, before each field took its own).
with facts as (
    select
        p.rn,
        s.period,
        s.insured_count,
        s.arrears_months,
        max(s.period) filter (where s.insured_count is not null and s.period >= :social_since) over w  as counted,
        max(s.period) filter (where s.arrears_months is not null and s.period >= :social_since) over w as owed,
        to_char(to_date(max(s.period) filter (where s.insured_count is not null and s.period >= :social_since) over w,
                        'YYYY-MM') - make_interval(months => :trend_months), 'YYYY-MM')      as earlier
    from social_security as s
    join grading_population as p using (uscc)
    where (:ranged = 0 or s.uscc between :lo and :hi)
      and s.period <= :social_until
    window w as (partition by s.uscc)
)
select
    rn,
    max(insured_count) filter (where period = counted)               as insured_count,
    coalesce(max(arrears_months) filter (where period = owed), 0)    as social_arrears_months,
    max(insured_count) filter (where period = earlier)               as insured_earlier
from facts
where period = counted or period = owed or period = earlier
group by rn
