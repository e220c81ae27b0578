select p.case_no, p.uscc, p.decided_on as trigger_date, p.category as family, r.region_code,
       jsonb_build_object('source', 'penalties', 'case_no', p.case_no, 'uscc', p.uscc,
                          'decided_on', p.decided_on, 'doc_no', p.doc_no, 'category', p.category,
                          'measures', p.measures, 'fine_amount', p.fine_amount,
                          'heavier', p.heavier)::text as facts
  from penalties p join registration r using (uscc)
 where (p.heavier or p.measures && cast(:hm as text[]))
   and p.category = any(cast(:f as text[])) and p.decided_on >= :ff and p.decided_on <= :n
   and r.status = any(cast(:s as text[]))
