-- After a night is published and its staged rows deleted (night/staging_clear_rows.sql): an empty
-- staging table ({rows}) is truncated, which gives its pages back at once. A first night at 10 M
-- entities leaves 13.5 GB of deleted rows in these tables, which each later night's delete would
-- otherwise scan (12–15 s) until a vacuum. Only under the lock of night/staging_lock_briefly.sql,
-- taken first in the same transaction (an ingest of another drop under way keeps the table as it
-- is), and only when no row is left, seen under that lock.
do $$
begin
    if not exists (select from {rows}) then
        truncate {rows};
    end if;
end $$
