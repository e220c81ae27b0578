-- A clause, not a statement (credit.sqlfiles.fragment): a new database in code-point order, the
-- builtin provider's C.UTF-8 (PostgreSQL 17 or later; credit.db.CODE_POINT_LOCALE).
template template0 encoding 'UTF8' locale_provider builtin builtin_locale 'C.UTF-8'
