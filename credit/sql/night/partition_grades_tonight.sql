-- Every partition's staged grades become tonight's grades (the publishing transaction's temporary
-- grades_tonight, credit.grading.night.create_grades_tonight).
insert into grades_tonight (uscc, grade, score, config_version, reasons)
select uscc, grade, score, config_version, reasons
  from night_partition_grades
 where night = :night and digest = :digest and plan = :plan
