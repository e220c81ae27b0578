-- How many plans were made as of one date (:d): the next plan's number in its draw id.
select count(*) from draw_plans where as_of = :d
