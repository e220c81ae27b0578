-- The first and last USCC of the population graded next (credit.grading.indicators.chunk_bounds):
-- two probes of its USCC index.
select min(uscc), max(uscc) from grading_population
