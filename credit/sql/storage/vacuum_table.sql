-- One table (a name Python formats in) vacuumed after a night that changed it by more than a
-- tenth (credit.night.steps.vacuum_changed_tables): its rows' commit hints set and its pages marked
-- all-visible now, not by the next night's first reader. Outside any transaction (autocommit).
vacuum {table}
