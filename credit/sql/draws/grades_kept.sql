-- Whether the grading engine's grades exist (NULL before migration; credit.draws.pools.grades_as_of).
select to_regclass('grades')
