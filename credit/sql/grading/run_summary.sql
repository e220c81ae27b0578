-- What night :n's grading recorded of itself (grading_runs): the grading.yaml version it graded
-- with, its distribution over the tiers and the warnings of its distribution check — the head of
-- the night's page (credit.grading.report.collect). One row for a graded night, none otherwise.
select config_version, distribution, warnings
  from grading_runs
 where night = :n
