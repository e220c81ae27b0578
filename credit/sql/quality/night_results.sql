-- Every expectation of every file of one published night, by file and suite order.
select file, source, seq, expectation, column_name, kwargs, critical, success,
       element_count, unexpected_count, unexpected_percent, missing_count, observed_value
  from quality_results
 where night = :night
 order by file, seq
