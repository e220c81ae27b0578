-- A server setting (:n) at :v to the end of the transaction (credit.db.local_setting).
select set_config(:n, :v, true)
