-- Every entity the store knows in one region (issue 12 partitions, issue 11 scopes): the division
-- code is USCC characters 3–8 (GB 32100), :p its first :k digits. Registered entities, and those
-- named only by a roster decision, an application or a penalty (a penalty may name an entity
-- registered elsewhere or not yet). Fills night_scope (credit.night.scope.restrict_to_region).
insert into night_scope (uscc)
select uscc from registration where substr(uscc, 3, :k) = :p
union
select uscc from roster_decisions where uscc is not null and substr(uscc, 3, :k) = :p
union
select uscc from roster_requests where uscc is not null and substr(uscc, 3, :k) = :p
union
select uscc from penalties where substr(uscc, 3, :k) = :p
on conflict do nothing
