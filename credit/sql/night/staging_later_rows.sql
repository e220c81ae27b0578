-- Whether a source's staging table ({rows}) holds rows of a night after the published one, which
-- must stay staged (read under the exclusive lock of night/staging_lock_briefly.sql).
select exists (select from {rows} where night > :night)
