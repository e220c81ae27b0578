-- 双告知 (dual notification, domain.md §11): tonight's registration events that a licensing
-- department must hear of, written as notices once each.
--
-- Parameters: :night; :window_days (config/notices.yaml new_registration_days); :departments,
-- :licences, :prefixes (parallel arrays: one element per configured GB/T 4754 code or prefix of a
-- department); :produced_at (the bureau's clock); :config_version.
--
-- Events:
--   registered        an operating entity in an industry a department licenses whose industry
--                     was never known before tonight: it first reached the store tonight, or it
--                     reached it earlier with an empty industry_code (contracts.md §1: empty
--                     means unknown, so tonight's code is the first the store knows, not a
--                     change). It is a new registration when it reached the store on a later
--                     night than the store's first load, whatever its established_on: the
--                     department is told "at once" (domain.md §11), and a registration the drop
--                     delivers late is still one it never heard of. On the store's first load
--                     (a full snapshot of every existing entity) it must have been established
--                     within :window_days before that night, or the first load would notify
--                     every licensed entity of the province. An entity that moved in is no
--                     registration (it was registered by another authority, which told its own
--                     licensing departments; domain.md §11 pushes registrations and changes of
--                     industry only): its USCC names, in positions 3–8, the area of the authority
--                     that registered it (domain.md §1), and that area is neither its region nor
--                     the region's city or province, nor the national 100000. A USCC or region
--                     whose area cannot be read that way is not taken for a move;
--   industry_changed  an entity's industry_code changed tonight into an industry the department
--                     licenses, from the last code the store knew for it (an empty code in
--                     between is unknown, not a change), which that department does not license.
-- Each (department, event_key) is inserted once: a re-run of the night inserts nothing, and an
-- entity already notified as registered is not notified again.
with licensed as (
    select department, licence, prefix
    from unnest(cast(:departments as text[]), cast(:licences as text[]), cast(:prefixes as text[]))
         as m (department, licence, prefix)
),

-- A configured code matches every code that starts with it (credit.notices.rules): the code's
-- first length(prefix) characters equal it. Written as that equality, not as `like prefix || '%'`,
-- so that tonight's rows meet the configured codes in a hash join, once per distinct length
-- (GB/T 4754: 1, 3, 4 or 5 characters), where the LIKE was a join filter tried on every pair:
-- 14 codes × 0.9 M rows of a 1 M first night, 12.4 M LIKEs, most of the statement's time (the
-- statement 9.9–13.3 s → 4.3–5.3 s on that night, 4 runs each, interleaved on a busy 2-core machine;
-- the same 2,352 notices). The same rows: a configured code is letters and digits only
-- (rules.INDUSTRY_CODE), so it holds no LIKE wildcard. A registered code shorter than a length
-- may meet the same configured code at two lengths: `keyed` below keeps one row per department and
-- event. (A join condition `length(l.prefix) = n.len` to avoid that took the hash join away:
-- 1.3–1.7 s → 3.6–4.1 s on the 1 M first night.)
prefix_lengths as (
    select distinct length(prefix) as len from licensed
),

-- The store's first load: the first night of the registration history (its primary key leads
-- with night, so this is one index probe).
store as (
    select min(night) as first_load from registration_history
),

tonight as (
    select
        h.uscc, h.change, h.name, h.entity_kind, h.region_code, h.industry_code, h.established_on,
        h.address,
        prev.previous_industry_code,
        coalesce(prev.first_night, h.night) as first_night,
        (substr(h.uscc, 3, 6) ~ '^[0-9]{6}$' and h.region_code ~ '^[0-9]{6}$'
         and substr(h.uscc, 3, 6) not in (h.region_code, left(h.region_code, 4) || '00',
                                          left(h.region_code, 2) || '0000', '100000')) as moved_in
    from registration_history as h
    left join lateral (
        -- the entity's earlier rows: the night it first reached the store, and the last industry
        -- code the store knew for it (null: never known)
        select min(p.night) as first_night,
               (array_agg(p.industry_code order by p.night desc)
                    filter (where p.industry_code is not null))[1] as previous_industry_code
        from registration_history as p
        where p.uscc = h.uscc and p.night < h.night and p.change <> 'dropped'
        having count(*) > 0
    ) as prev on true
    where h.night = :night
      and h.change in ('new', 'changed')
      and h.status = 'operating'
      and h.industry_code is not null
),

events as (
    select
        t.*,
        l.department,
        l.licence,
        l.prefix,
        case when t.previous_industry_code is null then 'registered' else 'industry_changed' end as event
    from tonight as t
    cross join store as s
    cross join prefix_lengths as n
    join licensed as l
      on l.prefix = left(t.industry_code, n.len)
    where (t.previous_industry_code is null
           and not t.moved_in
           and (t.first_night > s.first_load
                or t.established_on >= t.first_night - cast(:window_days as integer)))
       or (t.previous_industry_code is not null
           and t.previous_industry_code <> t.industry_code
           and not exists (select 1 from licensed as o
                           where o.department = l.department
                             and o.prefix = left(t.previous_industry_code, length(o.prefix))))
),

keyed as (
    -- the most specific configured code names the match when several of a department's match
    select distinct on (department, event_key) *
    from (
        select e.*,
               case when e.event = 'registered'
                    then 'registered:' || e.uscc || ':' || e.established_on
                    else 'industry_changed:' || e.uscc || ':' || coalesce(e.previous_industry_code, '')
                         || '>' || e.industry_code || ':' || cast(:night as date)
               end as event_key
        from events as e
    ) as k
    order by department, event_key, length(prefix) desc
)

insert into notices (
    night, produced_at, department, licence, event, event_key, uscc, name, entity_kind, region_code,
    industry_code, previous_industry_code, established_on, address, matched, config_version
)
select
    cast(:night as date), cast(:produced_at as timestamptz), department, licence, event, event_key, uscc, name,
    entity_kind, region_code, industry_code, previous_industry_code, established_on, address, prefix,
    :config_version
from keyed
order by department, uscc, event_key
on conflict (department, event_key) do nothing
returning department, event
