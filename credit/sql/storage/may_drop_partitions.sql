-- Whether this connection's role may drop retention months (credit_drop_night_partition is the
-- owner's: migration 0026 grants it to no role); asked before a run that drops anything.
select has_function_privilege('credit_drop_night_partition(regclass)', 'execute')
