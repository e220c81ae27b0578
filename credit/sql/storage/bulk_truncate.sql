-- The empty table a bulk load goes into truncated under its lock: new storage in this transaction,
-- written without the write-ahead log at wal_level minimal (credit.bulk.load_then_index).
truncate {table}
