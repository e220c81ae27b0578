-- A primary-key or unique constraint of the table a bulk load goes into, dropped with its index
-- for the load (credit.bulk.load_then_index; the table and constraint formatted in by Python).
alter table {table} drop constraint "{constraint}"
