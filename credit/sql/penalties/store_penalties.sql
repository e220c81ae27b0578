-- Every penalty of the store with what its publicity window depends on (domain.md §6). `*` keeps
-- the optional columns (restricted_until, revoked_on) when the drop contract has them.
select p.* from penalties as p order by p.case_no
