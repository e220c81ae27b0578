-- Every entity the store knows in one region partition (issue 12), after the partition merged its
-- rows: registered, or named by a roster decision, an application or a penalty (as
-- scope_region_all.sql for one prefix). Rows (uscc, reason) for credit.night.scope.of_query.
-- The partition: division-code prefixes of :digits digits from :p_lo (null: the first) to :p_hi
-- (exclusive; null: the last), compared in byte order as credit.night.partitions does.
select s.uscc, 'region' as reason
  from (select uscc from registration
        union
        select uscc from roster_decisions where uscc is not null
        union
        select uscc from roster_requests where uscc is not null
        union
        select uscc from penalties) as s
 where (cast(:p_lo as text) is null or substr(s.uscc, 3, :digits) collate "C" >= cast(:p_lo as text))
   and (cast(:p_hi as text) is null or substr(s.uscc, 3, :digits) collate "C" < cast(:p_hi as text))
