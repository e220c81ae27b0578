-- The planner's cursor_tuple_fraction as set now (credit.night.scope.frames restores it after).
select current_setting('cursor_tuple_fraction')
