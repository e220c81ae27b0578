-- The entity pool a plan (:id) froze, in the order its digest hashes it (credit.draws.read.frozen_pools;
-- formatted by Python: the pool's columns, credit.draws.ENTITY_COLUMNS).
select {columns} from draw_pool_entities where draw_id = :id order by matter, uscc
