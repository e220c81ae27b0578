-- After a night is published: the accepted rows staged for it (every drop's) and for every earlier
-- night, in one source's staging table ({rows}, night_staging_<source>, migration 0027); run for
-- each source in the transaction of night/staging_clear_nights.sql.
delete from {rows} where night <= :night
