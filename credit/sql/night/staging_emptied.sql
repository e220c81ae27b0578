-- Whether a staging table (:t) is empty on disk: after night/staging_truncate_empty.sql, which
-- truncates it only when no row is left (credit.night.staging.clear_published).
select pg_relation_size(cast(:t as regclass)) = 0
