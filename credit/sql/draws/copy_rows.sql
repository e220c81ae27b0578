-- Rows copied into one of the draws' tables, as psycopg's rows (credit.draws.store; formatted by
-- Python: the table and its columns).
copy {table} ({columns}) from stdin
