-- Per tier, the counts derived from the previous night's (grading/counts_delta.sql), which must
-- add up to tonight's distribution (credit.grading.counts.store_counts).
select grade, sum(n) from grade_counts_tonight group by grade
