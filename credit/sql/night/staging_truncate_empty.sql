-- After a night is published and its staged rows deleted (night/staging_clear_rows.sql): an empty
-- staging table ({rows}) is truncated, which gives its pages back at once. A first night at 10 M
-- entities leaves 13.5 GB of deleted rows in these tables, which each later night's delete would
-- otherwise scan (12–15 s) until a vacuum. Only when nothing holds the table (nowait: an ingest
-- of another drop under way keeps it as it is) and no row is left, both seen under the lock.
do $$
begin
    lock table {rows} in access exclusive mode nowait;
    if not exists (select from {rows}) then
        truncate {rows};
    end if;
end $$
