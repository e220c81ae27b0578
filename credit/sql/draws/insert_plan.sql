-- A new draw plan; the pools it freezes are copied into draw_pool_entities / draw_pool_inspectors.
insert into draw_plans (
    draw_id, matters, scope, as_of, seed_commitment, public_seed_source,
    entity_pool_digest, inspector_pool_digest, grades_night, rules, strata, public_plan, config_version)
values (
    :id, :matters, :scope, :as_of, :sc, :ps,
    :ed, :idg, :gn, cast(:rules as jsonb), cast(:strata as jsonb), cast(:pp as jsonb), :cv)
