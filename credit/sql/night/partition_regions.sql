-- Registered entities per region (the first :digits digits of the division code, USCC positions
-- 3–8, domain.md §1), in the store and in tonight's staged registration rows: what the night's
-- partition plan balances (credit.night.partitions). Byte order ("C"), as Python compares.
select substr(u.uscc, 3, :digits) collate "C" as region, count(*) as entities
  from (select uscc from registration
        union all
        select n.uscc
          from night_staging_registration as n
         where n.night = :night and n.digest = :digest) as u
 where u.uscc is not null
 group by 1
 order by 1
