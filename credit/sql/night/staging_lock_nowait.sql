-- Publishing clears a source's staging table ({rows}): by truncation only when nothing else holds
-- it (nowait: an ingest of another drop under way is never waited for; credit.night.staging).
lock table {rows} in access exclusive mode nowait
