-- The partitions' grades of the entities graded again (:u, USCCs) taken out of tonight's
-- (credit.night.partitions.apply_grades).
delete from grades_tonight where uscc = any(:u)
