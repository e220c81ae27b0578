-- The derived counts stored as night :n's, its empty cells left out (credit.grading.counts.store_counts).
insert into grade_counts (night, region_code, section, grade, n) select :n, region_code, section, grade, n from grade_counts_tonight where n > 0
