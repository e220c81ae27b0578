-- A unique constraint of the loaded table made again on its index built after the load
-- (credit.bulk.load_then_index; the table, constraint and index formatted in by Python).
alter table {table} add constraint "{constraint}" unique using index {index}
