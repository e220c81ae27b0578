-- Entities related to the scope through their legal representative (issue 11): the grading's
-- related_serious (serious list tonight) and related_d (tier D on the previous graded night) of
-- an entity change when another entity with the same legal_rep_hash changes (domain.md §3.6, §7).
-- Related: every entity sharing a representative — current or any earlier one, so that a change
-- of representative reaches both sides — with an entity of the scope, or with an entity whose
-- tier D began or ended on the previous graded night (:prev_graded; null: none).
with
moved as (
    select s.uscc from night_scope as s
    union
    -- the D ranges by their own index (migration 0044): after a full night every range began on
    -- :prev_graded, and grade_ranges(valid_from) alone was a scan of the whole table
    select g.uscc from grade_ranges as g
     where g.grade = 'D' and (g.valid_from = cast(:prev_graded as date) or g.valid_to = cast(:prev_graded as date))
),
reps as (
    select r.legal_rep_hash as h from registration as r join moved using (uscc) where r.legal_rep_hash is not null
    union
    select h.legal_rep_hash from registration_history as h join moved using (uscc) where h.legal_rep_hash is not null
)
-- the representatives as an array: one probe of registration(legal_rep_hash) each (migration 0030),
-- where a join was planned as a hash join over every registration
select r.uscc from registration as r where r.legal_rep_hash = any(array(select reps.h from reps))
