-- One file's staged accepted rows, typed as they were staged, into the merge's stage table
-- (credit.night.staging.fill_stage), with bind parameters night, digest and file. Formatted by
-- Python: the stage table, the source's columns (plain, then of the staged row r), the source's
-- staging table, and after the file's condition either nothing or a region partition's condition
-- on r (credit.night.staging.RowScope, with bind parameters of its own).
insert into {stage} ({columns})
select {selected}
  from {rows} r
 where r.night = :night and r.digest = :digest and r.file = :file{scope}
