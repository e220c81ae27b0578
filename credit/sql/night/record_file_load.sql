-- One file's load, recorded in the night's transaction (credit.night.steps): the night, the file,
-- its source and mode, its SHA-256, its rows read, accepted and quarantined.
insert into file_loads values (:night, :file, :source, :mode, :sha, :rows, :acc, :q)
