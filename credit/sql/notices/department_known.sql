-- Whether any notice was ever produced for a department (one an earlier configuration named).
select exists (select 1 from notices where department = :department)
