-- The entities a query returns (column uscc) added to the night's scope
-- (credit.night.scope.add_query). Formatted by Python: the query, the text of its own file
-- without a closing semicolon, with that file's bind parameters.
insert into night_scope select distinct q.uscc from (
{query}
) as q where q.uscc is not null on conflict do nothing
