-- The table a bulk load goes into locked, ACCESS EXCLUSIVE, to the end of the transaction
-- (credit.bulk.load_then_index; the table formatted in by Python).
lock table {table} in access exclusive mode
