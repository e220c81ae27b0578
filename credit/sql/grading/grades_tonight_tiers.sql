-- Entities per tier among tonight's grades as staged (credit.grading.night.record_grades).
select grade, count(*) from grades_tonight group by grade
