-- The verifier role_login.sql sets and the database airflow_login.sql hands to `airflow`, held for
-- this transaction only (ALTER ROLE and ALTER DATABASE take no bind parameter).
select set_config('credit.login_verifier', :verifier, true), set_config('credit.airflow_database', :database, true)
