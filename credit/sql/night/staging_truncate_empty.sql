-- After a night is published and its staged rows deleted (night/staging_clear_rows.sql): an empty
-- staging table ({rows}) is truncated, which gives its pages back at once. A first night at 10 M
-- entities leaves 13.5 GB of deleted rows in these tables, which each later night's delete would
-- otherwise scan (12–15 s) until a vacuum. Only when nothing holds the table (waited for at most
-- 2 s, as in night/staging_lock_briefly.sql: autovacuum gives way, an ingest of another drop under
-- way keeps it as it is) and no row is left, both seen under the lock.
do $$
declare
    before text := current_setting('lock_timeout');
begin
    perform set_config('lock_timeout', '2s', true);
    lock table {rows} in access exclusive mode;
    perform set_config('lock_timeout', before, true);
    if not exists (select from {rows}) then
        truncate {rows};
    end if;
end $$
