-- A source's staging table ({rows}) holding only published nights' rows, under the exclusive lock
-- of night/staging_lock_briefly.sql, inside the transaction that clears the night's staging.
truncate {rows}
