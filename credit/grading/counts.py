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
- a full night graded in the publishing transaction (:func:`credit.grading.night.grade_night`)
  counts its grades on the client as it grades them, chunk by chunk, from the registration the
  population was read with (:func:`chunk_counts`), and stores those counts: at 1 M entities
  ``counts_full.sql`` took 3.7–3.9 s of the server's one core (EXPLAIN ANALYZE, three runs: a hash
  join of the 899,008 open ranges to the 995,919 registrations), the client's count of the same
  cells a few tens of milliseconds per chunk while it waits on the server anyway;
- the derived counts are checked against tonight's distribution per tier (counted independently,
  from the transitions); should they disagree, or a cell go negative, the night counts every
  grade instead and says so in its warnings — a wrong figure is never stored.

Both give the counts of ``sql/grading/report_counts.sql`` (the report's reading for nights
without stored counts); ``tests/db/grading/test_counts.py`` holds them equal over generated
nights with registrations changing region or industry and entities leaving.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection

from credit import sqlfiles
from credit.grading.scheme import TIERS

#: The warning a night records when its derived counts were inconsistent and it counted again.
RECOUNTED = "grade_counts_recounted"


def previous_counted(conn: Connection, night: date) -> date | None:
    """The previous graded night, if its counts are stored (None: count every grade tonight)."""
    prev: date | None = conn.execute(sqlfiles.statement("grading/graded_before"),
                                     {"n": night}).scalar()
    if prev is None:
        return None
    stored = conn.execute(sqlfiles.statement("grading/counts_stored"), {"p": prev}).scalar()
    return prev if stored else None


#: The cell of an entity without a region or an industry (``coalesce(…, '未知')`` of counts_full.sql).
UNKNOWN = "未知"

#: The columns of :func:`chunk_counts`' frame, the cells of ``grade_counts`` with their count.
CELLS = ["region_code", "section", "grade"]


def chunk_counts(conn: Connection, frame: pd.DataFrame, grades: pd.Series) -> pd.DataFrame:
    """The counts of one graded chunk (region, section, grade, n), as ``counts_full.sql`` counts
    them: ``frame`` is the chunk's indicator frame (its ``region_code`` and ``industry_code`` read
    from the registration with the population, ``grading_population``, row ``i`` being ``rn = i``)
    and ``grades`` its grades, row by row.

    The population is read through CSV, where an empty code and a missing one both arrive as NA
    (:func:`credit.grading.indicators.copy_out`); the SQL counts an empty code under ``''`` and a
    missing one under ``'未知'``. When the chunk has an NA code, its empty codes are asked of the
    server (the chunk's rows, none when the codes are valid: the contract's patterns need a digit
    or a letter), so that every entity lands in the SQL's cell."""
    region = frame["region_code"].astype("string").reset_index(drop=True)
    section = frame["industry_code"].astype("string").str.slice(0, 1).reset_index(drop=True)
    if bool(region.isna().any() or section.isna().any()):
        empty = pd.DataFrame(conn.execute(sqlfiles.statement("grading/counts_empty_codes")).all(),
            columns=["rn", "region_empty", "industry_empty"])
        region.iloc[empty.loc[empty["region_empty"].fillna(False).astype(bool), "rn"].to_numpy(dtype="int64")] = ""
        section.iloc[empty.loc[empty["industry_empty"].fillna(False).astype(bool), "rn"].to_numpy(dtype="int64")] = ""
    cells = pd.DataFrame({"region_code": region.fillna(UNKNOWN), "section": section.fillna(UNKNOWN),
                          "grade": pd.Series(grades.to_numpy(dtype=object), dtype="string")})
    return cells.groupby(CELLS, sort=False).size().rename("n").reset_index()


def add_counts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The counts of several chunks (:func:`chunk_counts`) summed per cell, in cell order."""
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype="string") for c in CELLS} | {"n": pd.Series([], dtype="int64")})
    return pd.concat(parts, ignore_index=True).groupby(CELLS, sort=True)["n"].sum().reset_index()


def store_counts(conn: Connection, night: date, distribution: dict[str, int], incremental: bool,
                 counted: pd.DataFrame | None = None) -> list[str]:
    """Store tonight's counts in ``grade_counts`` (after the grades are stored, before the night
    commits). ``incremental``: derive them from the previous graded night's when it has them.
    ``distribution``: tonight's entities per tier, which the counts must add up to. Returns the
    warnings (:data:`RECOUNTED` when the derived counts did not add up).

    ``counted``: on a full night, tonight's counts as the client counted them while grading
    (:func:`add_counts` of every chunk's :func:`chunk_counts`): the open ranges after a full night
    are tonight's grades, so they are the cells ``counts_full.sql`` would count; stored when they
    add up to ``distribution`` per tier, counted by the server otherwise."""
    conn.execute(sqlfiles.statement("grading/counts_clear"), {"n": night})
    if not incremental and counted is not None:
        per_tier = {str(g): int(n) for g, n in counted.groupby("grade")["n"].sum().items()}
        if all(per_tier.get(t, 0) == int(distribution.get(t, 0)) for t in TIERS) and set(per_tier) <= set(TIERS):
            conn.execute(sqlfiles.statement("grading/counts_counted"),
                {"n": night, "r": [str(v) for v in counted["region_code"]], "s": [str(v) for v in counted["section"]],
                 "g": [str(v) for v in counted["grade"]], "k": [int(v) for v in counted["n"]]})
            return []
    prev = previous_counted(conn, night) if incremental else None
    if prev is not None:
        conn.exec_driver_sql(sqlfiles.rendered("grading/counts_delta", night=night, prev=prev))
        totals: dict[str, int] = {str(g): int(n) for g, n in conn.execute(
            sqlfiles.statement("grading/counts_delta_tiers")).all()}
        negative = conn.execute(sqlfiles.statement("grading/counts_delta_negative")).scalar()
        if not negative and all(totals.get(t, 0) == int(distribution.get(t, 0)) for t in TIERS):
            conn.execute(sqlfiles.statement("grading/counts_delta_store"), {"n": night})
            return []
    conn.execute(sqlfiles.statement("grading/counts_full"), {"night": night})
    return [RECOUNTED] if prev is not None else []
