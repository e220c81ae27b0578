-- How long a retention run that drops months waits for a table's lock, to the end of its
-- transaction (lock_timeout; retention.yaml `lock_timeout_seconds`, credit.retention). Detaching a
-- month takes an ACCESS EXCLUSIVE lock on the partitioned table, which a night's publishing
-- transaction writing the quarantine holds against it for as long as it runs; waiting, the drop
-- would also queue every later reader of the table behind it. It gives up instead, nothing
-- dropped, and the next run retries.
select set_config('lock_timeout', :timeout, true)
