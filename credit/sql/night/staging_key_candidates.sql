-- The candidate duplicates of one staged file (credit.night.duplicates, issue 11): the lines of its
-- accepted rows whose key is staged more than once over the whole file, every chunk of it, in line
-- order. PostgreSQL counts the keys over a sort of the file's rows by key (it spills to disk what
-- does not fit its memory), so the client keeps nothing per row, whatever the file's size. A window,
-- not a join of the rows with their repeated keys: the rows were staged in this very transaction and
-- have no statistics yet, and on its estimate of a handful of rows the planner joins them by nested
-- loops (measured: a 2 M-row file ran for more than 14 minutes).
-- {rows}: the source's staging table; {key}: its key columns.
select line
  from (select line, count(*) over (partition by {key}) as copies
          from {rows}
         where night = :night and digest = :digest and file = :file) as s
 where copies > 1
 order by line
