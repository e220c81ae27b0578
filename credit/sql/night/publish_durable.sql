-- The night's transaction durable when it commits (synchronous_commit on, to its end): a night
-- reported published survives a power cut, whatever the server's default (credit.night.steps).
set local synchronous_commit = on
