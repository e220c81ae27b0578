-- How many notices a night produced per licensing department (on the index night, department).
select department, count(*) as n from notices where night = :night group by department order by department
