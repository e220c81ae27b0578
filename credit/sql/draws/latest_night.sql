-- The latest published night (credit.draws.store.plan_draw): the default plan date, and the newest
-- roster a plan can draw from. A plan as of it whose inspection window has begun needs the nights
-- since published, not another date.
select max(night) from night_runs
