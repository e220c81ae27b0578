-- One select restricted to the scope's entities by one of its columns (credit.night.scope.scoped_sql).
-- Formatted by Python: the select, the column, the array of the scope's USCCs (a bound parameter).
select * from (
{body}
) as scoped where scoped.{key} = any({usccs})
