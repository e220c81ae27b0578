-- A redraw (重新抽取): a new event citing the inspection version it amends; nothing is overwritten.
-- skipped: the entities an entity_closed replacement passed over because another live draw holds
-- them (NULL for a recusal).
insert into draw_events (
    draw_id, seq, kind, uscc, inspector_id, amends_version, reason, outcome, config_version, skipped)
values (:id, :seq, :kind, :uscc, :ins, :amends, :reason, cast(:outcome as jsonb), :cv, :skipped)
