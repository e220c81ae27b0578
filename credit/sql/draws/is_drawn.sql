-- A row when the plan (:id) has been run (a draw is run once).
select 1 from draw_runs where draw_id = :id
