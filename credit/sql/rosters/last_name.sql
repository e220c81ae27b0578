-- The last name the store held for :u (up to night :kn when given): an entity a later full snapshot
-- no longer delivers (contracts.md §1) is still named by `credit status` (contracts.md §2); its
-- 'dropped' history row carries the last values. Index (uscc, night).
select h.name from registration_history as h
 where h.uscc = :u and (cast(:kn as date) is null or h.night <= :kn)
 order by h.night desc limit 1
