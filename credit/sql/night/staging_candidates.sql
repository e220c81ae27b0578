-- The candidate duplicates of the file being staged (credit.night.duplicates, issue 11): rows whose
-- key's hash was seen more than once, with their key as text (dup_key) and a hash of the whole
-- canonical row (dup_row). Temporary, dropped with the file's transaction.
create temporary table night_duplicate_candidates (
    line                  bigint  not null,
    chunk                 int     not null,
    dup_key               text    not null,
    dup_row               bigint  not null,
    organisation_mismatch boolean not null
) on commit drop
