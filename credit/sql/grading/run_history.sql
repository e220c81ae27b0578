-- The distributions of the :k latest graded nights up to night :n, latest first: the history chart
-- of the night's page (credit.grading.report.collect; grading.yaml report.recent_nights). Nights
-- after :n are not read, so a page written again for a past night shows what it showed then.
select night, distribution
  from grading_runs
 where night <= :n
 order by night desc
 limit :k
