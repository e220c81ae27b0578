-- The whole grading population indexed by rn once, so that each chunk is a range scan of its rows
-- (credit.grading.indicators.chunk_population).
create index on grading_everyone (rn)
