-- A server setting (:n) as it is now (credit.db.local_setting).
select current_setting(:n)
