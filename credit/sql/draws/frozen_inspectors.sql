-- The inspector pool a plan (:id) froze, in the order its digest hashes it (credit.draws.read.frozen_pools;
-- formatted by Python: the pool's columns, credit.draws.INSPECTOR_COLUMNS).
select {columns} from draw_pool_inspectors where draw_id = :id order by inspector_id
