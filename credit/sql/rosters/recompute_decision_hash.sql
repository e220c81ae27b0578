-- A decision's stored row hash beside the hash recomputed from its canonical text: the
-- certificate's anchor in the log.
select d.row_hash, d.prev_hash,
       encode(sha256(convert_to(d.prev_hash || encode(sha256(convert_to(
           roster_decision_canonical(d), 'UTF8')), 'hex'), 'UTF8')), 'hex') as recomputed
  from roster_decisions as d where d.seq = :s
