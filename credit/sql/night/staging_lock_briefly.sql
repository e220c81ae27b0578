-- Publishing clears a source's staging table ({rows}): by truncation only when nothing else holds
-- it. The lock is waited for at most 2 s (lock_timeout, then the transaction's own setting again):
-- a staging table loaded with a first night's million rows draws autovacuum, whose lock conflicts,
-- and autovacuum gives way to a waiter after deadlock_timeout (1 s) — taken with nowait, it left a
-- 1 M first night's 400 MB of deleted rows until the next night. An ingest of another drop under
-- way is not waited for any longer: its table is left as it is (credit.night.staging).
do $$
declare
    before text := current_setting('lock_timeout');
begin
    perform set_config('lock_timeout', '2s', true);
    lock table {rows} in access exclusive mode;
    perform set_config('lock_timeout', before, true);
end $$
