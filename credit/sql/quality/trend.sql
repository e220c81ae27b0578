-- The trend of each result of night :night: the same expectation (same source, type and kwargs)
-- over the last :n published nights up to :night, oldest first. A file renamed between nights
-- keeps its trend (matched by source, not by file name).
with shown as (
    select file, seq, source, expectation, kwargs
      from quality_results
     where night = :night
), recent as (
    select night from night_runs where night <= :night order by night desc limit :n
)
select s.file, s.seq, h.night as at, h.success, h.unexpected_percent, h.observed_value
  from shown s
  join quality_results h
    on h.source = s.source and h.expectation = s.expectation and h.kwargs = s.kwargs
 where h.night in (select night from recent)
 order by s.file, s.seq, h.night, h.file
