-- One file's staged accepted rows, as psycopg runs them (its named placeholders): what an empty
-- store table is loaded from directly (credit.night.staging.staged_rows, credit.night.merge).
-- Formatted by Python: the source's columns, the source's staging table.
select {columns}
  from {rows}
 where night = %(staged_night)s and digest = %(staged_digest)s and file = %(staged_file)s
