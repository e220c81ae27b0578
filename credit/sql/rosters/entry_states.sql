-- Every entry of every roster on night :n with its state: which causes an entity is already
-- listed on (or was cured of) when a new fact on the same cause arrives.
select uscc, roster, cause_code, state, removed_on
  from roster_entry_detail_as_of(:n)
