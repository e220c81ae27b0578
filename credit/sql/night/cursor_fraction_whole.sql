-- A cursor planned for its whole result, to the end of the transaction unless set back
-- (credit.night.scope.frames).
select set_config('cursor_tuple_fraction', '1', true)
