-- The run of a plan: the revealed seed, the public record and the digests of both record files.
insert into draw_runs (draw_id, seed, public_record, public_record_sha256, full_record_sha256, config_version)
values (:id, :seed, cast(:pr as jsonb), :ps, :fs, :cv)
