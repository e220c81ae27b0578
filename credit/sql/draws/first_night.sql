-- The store's first night (credit.draws.store.plan_draw): the earliest night any registration row
-- arrived, before which a draw has no published entity to be planned from.
select min(first_night) from registration
