-- An index of the table a bulk load goes into, dropped for the load (credit.bulk.load_then_index).
drop index {index}
