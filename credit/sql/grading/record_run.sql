-- One row per graded night (credit.grading.night.record_grades): the tier distribution, the
-- distribution check's warnings, and the configuration the night graded with — grading.yaml
-- (:v its version, :c the document) and rosters.yaml (:rv, :rc; heavier_measures decides which
-- penalties are heavier, domain.md §4; migration 0048), so that a past night's grades and the
-- advice on them re-derive from that night's configuration, not from today's files.
insert into grading_runs (night, config_version, graded, distribution, warnings, config,
                          rosters_version, rosters_config)
values (:n, :v, :g, cast(:d as jsonb), cast(:w as jsonb), cast(:c as jsonb),
        :rv, cast(:rc as jsonb))
