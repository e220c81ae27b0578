-- An entity's registration status in the store (登记状态), for a redraw on the ground that the
-- entity closed (credit.draws.store.redraw): no row when the store does not know the entity.

select status
from registration
where uscc = :uscc
