-- Whether a derived count went below zero: the counts are not consistent, and counted again
-- (credit.grading.counts.store_counts).
select exists (select from grade_counts_tonight where n < 0)
