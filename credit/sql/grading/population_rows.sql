-- The grading population's columns in USCC order, row i being rn = i
-- (credit.grading.indicators.population, read through COPY).
select uscc, entity_kind, region_code, industry_code, registered_capital, established_on, legal_rep_hash from grading_population order by rn
