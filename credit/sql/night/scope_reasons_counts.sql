-- Per reason, how many distinct entities the scope's reasons table brought
-- (credit.night.scope.of_query).
select reason, count(distinct uscc) from night_scope_reasons where uscc is not null group by reason order by reason
