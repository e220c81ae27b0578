-- The role and the password verifier `credit db roles` is about to set, held for this transaction
-- only (set_config(..., true)): ALTER ROLE takes no bind parameter, so role_login.sql reads them
-- from here and quotes them itself. The verifier is SCRAM-SHA-256, computed by the client
-- (credit.roles.scram_verifier): the plain password never reaches the server or its log.
select set_config('credit.login_role', :role, true), set_config('credit.login_verifier', :verifier, true)
