-- Detach and drop one month of an operational night-partitioned table (migration 0026; the
-- function refuses legal records, default partitions, recent months and held quarantine rows).
select credit_drop_night_partition(to_regclass(:p))
