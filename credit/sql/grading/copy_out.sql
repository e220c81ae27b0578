-- A query's rows as CSV with a header line, out through COPY (credit.grading.indicators.copy_out;
-- the query, formatted in by Python, with psycopg's named placeholders).
copy ({query}) to stdout with (format csv, header true)
