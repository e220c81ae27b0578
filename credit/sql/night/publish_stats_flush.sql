-- The publishing backend's counts of tonight's rows reach the server's statistics as it commits:
-- credit.night.steps.refresh_statistics lists the tables to analyze and vacuum from them, and a
-- backend otherwise puts its flush off while another process holds a table's entry (autovacuum),
-- for up to a minute, so a night could find nothing to analyze. PostgreSQL 15 and later.
do $$
begin
    if current_setting('server_version_num')::int >= 150000 then
        perform pg_stat_force_next_flush();
    end if;
end
$$
