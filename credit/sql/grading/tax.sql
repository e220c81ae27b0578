-- Tax (纳税): the latest assessment year per entity — tax-and-fee credit grade, abnormal-taxpayer
-- status (非正常户) and arrears (domain.md §11). These raise risk; they never put an entity on a
-- roster (§11 "Pipeline use").
select distinct on (t.uscc)
    p.rn,
    t.tax_credit_grade                         as tax_grade,
    (t.abnormal_taxpayer_since is not null)    as abnormal_taxpayer,
    coalesce(t.arrears, 0)                     as tax_arrears
from tax as t
join grading_population as p using (uscc)
order by t.uscc, t.assessed_year desc
