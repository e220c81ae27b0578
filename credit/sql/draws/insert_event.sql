-- A redraw (重新抽取): a new event citing the inspection version it amends; nothing is overwritten.
insert into draw_events (
    draw_id, seq, kind, uscc, inspector_id, amends_version, reason, outcome, config_version)
values (:id, :seq, :kind, :uscc, :ins, :amends, :reason, cast(:outcome as jsonb), :cv)
