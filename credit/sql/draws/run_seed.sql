-- The seed a run (:id) drew with; no row: not drawn (credit.draws.read.full_record).
select seed from draw_runs where draw_id = :id
