-- The public record a run stored (draw_runs.public_record); no row: not drawn.
select public_record from draw_runs where draw_id = :i
