-- One file's staged quality results into quality_results (inside the night's transaction), so
-- that readers only ever see the results of published nights.
insert into quality_results (night, file, seq, source, expectation, column_name, kwargs, critical, success,
                             element_count, unexpected_count, unexpected_percent, missing_count, observed_value)
select f.night, f.file, (e ->> 'seq')::int, f.source, e ->> 'expectation', e ->> 'column', e -> 'kwargs',
       (e ->> 'critical')::boolean, (e ->> 'success')::boolean,
       (e ->> 'element_count')::bigint, (e ->> 'unexpected_count')::bigint,
       (e ->> 'unexpected_percent')::double precision, (e ->> 'missing_count')::bigint,
       nullif(e -> 'observed_value', 'null'::jsonb)
  from night_staging_files f
 cross join lateral jsonb_array_elements(coalesce(f.expectations, '[]'::jsonb)) e
 where f.night = :night and f.digest = :digest and f.file = :file
 order by (e ->> 'seq')::int
