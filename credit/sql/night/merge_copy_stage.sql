-- One file's accepted rows, canonical text as CSV, copied into the merge's stage table
-- (credit.night.merge.copy_frame). Formatted by Python: the stage table, the source's columns.
copy {table} ({columns}) from stdin (format csv)
