-- The keys a `full` file's held-back rows stand for (credit.night.merge, contracts.md §1): a row
-- quarantined tonight is not an entity gone from the source, so a full snapshot drops none of
-- the store's rows it may stand for. One column, `k`, the text the store's rows are matched on:
-- the USCC when the source's key has one (every row of that entity is kept: a composite key's
-- other parts, a year or a month as delivered, are not matched on), else the single key. A
-- NULL `k` keeps every row of the source tonight: a held row whose key cannot be read (a record
-- that could not be split and shows no USCC, an empty key) could stand for any of them.
--
-- Parameters: :night, :digest, :file (the file's staging key), :key (the raw row's field the
-- store's rows are kept by: uscc, case_no…) and :by_uscc (whether :key is the USCC).
with held as (
    select q.raw ? '_record' as malformed,
           nullif(case when :by_uscc
                       then upper(regexp_replace(normalize(q.raw ->> :key, NFKC), '[\s-]', '', 'g'))
                       else btrim(normalize(q.raw ->> :key, NFKC)) end, '') as k,
           q.raw ->> '_record' as record
      from night_staging_quarantine as q
     where q.night = :night and q.digest = :digest and q.file = :file
), found as (
    -- a record that could not be split: the USCCs it shows (GB 32100's shape, any case, NFKC)
    select h.malformed, h.k, m.token
      from held as h
      left join lateral (
          select upper(x[1]) as token
            from regexp_matches(normalize(coalesce(h.record, ''), NFKC),
                                '([0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10})', 'gi') as x
      ) as m on h.malformed and :by_uscc
)
select distinct case when malformed then token else k end as k from found
