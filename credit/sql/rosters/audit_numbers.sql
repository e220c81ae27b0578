-- The first decision whose 文号 sequence breaks its authority's and year's run of numbers (a gap
-- or a repeat), for credit audit verify (credit.rosters.audit.verify_chain); none when every
-- run goes 1, 2, 3, ...
with numbers as (
    select d.seq, d.doc_seq,
           lag(d.doc_seq) over (partition by d.authority, d.doc_year order by d.doc_seq) as previous_no
      from roster_decisions as d
     where d.doc_seq is not null
)
select seq from numbers where doc_seq <> coalesce(previous_no, 0) + 1 order by seq limit 1
