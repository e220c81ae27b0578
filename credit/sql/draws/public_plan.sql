-- A plan as published (draw_plans.public_plan, the draw's plan.json); no row: no such plan.
select public_plan from draw_plans where draw_id = :i
