-- The whole grading population renamed, before its first chunk is made the population graded
-- next (credit.grading.indicators.chunk_population).
alter table grading_population rename to grading_everyone
