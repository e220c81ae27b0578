-- cursor_tuple_fraction set back to :v, to the end of the transaction (credit.night.scope.frames).
select set_config('cursor_tuple_fraction', :v, true)
