-- A night's (:n) counts cleared before they are stored again (credit.grading.counts.store_counts).
delete from grade_counts where night = :n
