-- The stored public record of a run (:id) and the digests of its public and full records; no row: not drawn.
select public_record, public_record_sha256, full_record_sha256 from draw_runs where draw_id = :id
