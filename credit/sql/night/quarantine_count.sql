-- How many rows a night held back (of one source, or of all sources): the total that a listing
-- cut by --limit reports ("共 196 行，显示前 50 行", issue 15).
select count(*)
  from quarantine
 where night = :n
   and (cast(:s as text) is null or source = :s)
