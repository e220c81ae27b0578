-- One draw plan (抽查任务) as fixed before its draw: the frozen rules, strata and public plan.
select
    draw_id, matters, scope, as_of, seed_commitment, public_seed_source,
    entity_pool_digest, inspector_pool_digest, grades_night, rules, strata, public_plan, config_version
from draw_plans
where draw_id = :id
