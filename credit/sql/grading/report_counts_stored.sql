-- The night's report counts as the night stored them (grade_counts, migration 0030: per region,
-- industry section and tier; credit.grading.counts). Empty for a night graded before 0030: the
-- report then counts them (report_counts.sql). Parameters: :night.
select region_code, section, grade, n
  from grade_counts
 where night = :night
