"""The night report's counts (entities per region, industry section and tier), kept per night.

The report (:mod:`credit.grading.report`) shows tonight's grades by region and by industry
section. Counting every entity's grade each night costs the whole province (13.4 s at 10 M
entities, issue 11); the night stores its counts in ``grade_counts`` instead, inside its
transaction, after its grades are stored (:func:`store_counts`):

- an incremental night takes the previous graded night's counts and moves only the entities whose
  grade range opened or closed tonight or whose registration changed since
  (``sql/grading/counts_delta.sql``, through indexes on those changes);
- a full night, and a night whose previous graded night has no stored counts (graded before
  migration 0030), counts every grade (``sql/grading/counts_full.sql``);
- the derived counts are checked against tonight's distribution per tier (counted independently,
  from the transitions); should they disagree, or a cell go negative, the night counts every
  grade instead and says so in its warnings — a wrong figure is never stored.

Both give the counts of ``sql/grading/report_counts.sql`` (the report's reading for nights
without stored counts); ``tests/db/grading/test_counts.py`` holds them equal over generated
nights with registrations changing region or industry and entities leaving.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, text

from credit import sqlfiles
from credit.grading.scheme import TIERS

#: The warning a night records when its derived counts were inconsistent and it counted again.
RECOUNTED = "grade_counts_recounted"


def previous_counted(conn: Connection, night: date) -> date | None:
    """The previous graded night, if its counts are stored (None: count every grade tonight)."""
    prev: date | None = conn.execute(text("select max(night) from grading_runs where night < :n"),
                                     {"n": night}).scalar()
    if prev is None:
        return None
    stored = conn.execute(text("select exists (select from grade_counts where night = :p)"), {"p": prev}).scalar()
    return prev if stored else None


def store_counts(conn: Connection, night: date, distribution: dict[str, int], incremental: bool) -> list[str]:
    """Store tonight's counts in ``grade_counts`` (after the grades are stored, before the night
    commits). ``incremental``: derive them from the previous graded night's when it has them.
    ``distribution``: tonight's entities per tier, which the counts must add up to. Returns the
    warnings (:data:`RECOUNTED` when the derived counts did not add up)."""
    conn.execute(text("delete from grade_counts where night = :n"), {"n": night})
    prev = previous_counted(conn, night) if incremental else None
    if prev is not None:
        conn.exec_driver_sql(sqlfiles.rendered("grading/counts_delta", night=night, prev=prev))
        totals: dict[str, int] = {str(g): int(n) for g, n in conn.execute(text(
            "select grade, sum(n) from grade_counts_tonight group by grade")).all()}
        negative = conn.execute(text("select exists (select from grade_counts_tonight where n < 0)")).scalar()
        if not negative and all(totals.get(t, 0) == int(distribution.get(t, 0)) for t in TIERS):
            conn.execute(text(
                "insert into grade_counts (night, region_code, section, grade, n) "
                "select :n, region_code, section, grade, n from grade_counts_tonight where n > 0"), {"n": night})
            return []
    conn.execute(sqlfiles.statement("grading/counts_full"), {"night": night})
    return [RECOUNTED] if prev is not None else []
