-- Whether a graded night's (:p) counts are stored in grade_counts (credit.grading.counts).
select exists (select from grade_counts where night = :p)
