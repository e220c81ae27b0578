"""The night's grading: every operating entity graded inside the publishing transaction.

Reads the indicators from the store (:mod:`credit.grading.indicators`), grades them with the
pure core (:mod:`credit.grading.score`), writes ``grade_ranges`` (what changed only: grades are
validity ranges, migration 0015), ``grade_transitions`` and ``grading_runs``, and checks the tier distribution with its Great Expectations suite. The HTML
report is written after the night commits (:func:`credit.grading.report.write_night_report`).
"""

from __future__ import annotations

import io
import json
import os
from datetime import date
from typing import TypedDict

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, text

from credit import sqlfiles
from credit.calendar import working_calendar
from credit.config import load_config
from credit.context import NightContext
from credit.grading.indicators import build_indicators, chunk_population, create_population
from credit.grading.scheme import TIERS, Scheme, scheme_of
from credit.grading.score import distribution, grade
from credit.logs import quiet_great_expectations
from credit.night.scope import is_scoped

#: Entities graded at a time when grading.yaml does not say (``database.chunk_entities``).
CHUNK_ENTITIES = 200_000


class GradingNightSummary(TypedDict):
    """What :func:`grade_night` reports; stored as JSON in ``night_runs.summary["grading"]``."""

    graded: int
    config_version: str
    distribution: dict[str, int]      # tier → entities
    previous_night: str | None        # the graded night the transitions count from
    warnings: list[str]               # unknown calendar years and failed distribution checks


def distribution_frame(dist: dict[str, int], previous: dict[str, int] | None, scheme: Scheme) -> pd.DataFrame:
    """One row per tier for the distribution check: share, previous share, |jump|, max share."""
    total = sum(dist.values())
    prev_total = sum(previous.values()) if previous else 0
    check = scheme.data.get("distribution_check", {})
    rows = []
    for t in TIERS:
        share = dist[t] / total if total else 0.0
        prev = (previous or {}).get(t, 0) / prev_total if prev_total else np.nan
        rows.append({"tier": t, "share": share, "previous_share": prev,
                     "jump": abs(share - prev) if prev_total else np.nan,
                     "max_share": float(check.get("max_share", {}).get(t, 1.0))})
    return pd.DataFrame(rows)


def check_distribution(frame: pd.DataFrame, scheme: Scheme, expectations_dir: os.PathLike[str] | str) -> list[str]:
    """Validate the tier distribution with the GX suite ``expectations/tier_distribution.json``.

    Returns one readable warning per failed expectation; never raises for a failed check — a
    jump warns the bureau, it does not stop the night (issue 5). Runbook: compare tonight's
    ``file_loads`` / ``quarantine`` per source with the previous night before acting on tiers.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    quiet_great_expectations()   # after the import: some of its modules set their loggers to INFO
    path = os.path.join(os.fspath(expectations_dir), "tier_distribution.json")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = ctx.suites.add(gx.ExpectationSuite(**doc))
    bd = (ctx.data_sources.add_pandas("grading").add_dataframe_asset("tiers")
          .add_batch_definition_whole_dataframe("night"))
    params = {"max_share_jump": float(scheme.data.get("distribution_check", {}).get("max_share_jump", 1.0))}
    res = bd.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format="COMPLETE", expectation_parameters=params)
    warnings: list[str] = []
    for r in res.results:
        if r.success:
            continue
        cfg = r.expectation_config
        assert cfg is not None  # a result of validating a suite carries its expectation
        idx = r.result.get("unexpected_index_list") or []
        tiers = [str(frame.loc[i, "tier"]) for i in idx if i in frame.index]
        detail = "; ".join(
            f"{t}: share {frame.loc[frame.tier == t, 'share'].iloc[0]:.4f}, previous "
            f"{frame.loc[frame.tier == t, 'previous_share'].iloc[0]:.4f}" for t in tiers)
        warnings.append(f"{cfg.type} {json.dumps(cfg.kwargs, default=str)} failed" + (f" for {detail}" if detail else ""))
    return warnings


def _previous_night(conn: Connection, night: date) -> date | None:
    return conn.execute(text("select max(night) from grading_runs where night < :n"), {"n": night}).scalar()


def open_grades_tonight(conn: Connection) -> None:
    """The temporary ``grades_tonight`` the night's grades are COPYed into (dropped at commit)."""
    conn.exec_driver_sql("drop table if exists grades_tonight")
    conn.exec_driver_sql(
        "create temporary table grades_tonight (uscc text not null, grade char(1) not null, score numeric not null, "
        "config_version text not null, reasons jsonb not null) on commit drop")


def copy_grades(conn: Connection, version: str, graded: pd.DataFrame) -> None:
    """COPY grades into ``grades_tonight`` (millions of rows; row inserts would take an hour)."""
    n = len(graded)
    table = pa.table({
        "uscc": pa.array(graded["uscc"].astype(str).to_numpy(), pa.string()),
        "grade": pa.array(graded["grade"].to_numpy(), pa.string()),
        "score": pa.array(graded["score"].to_numpy(), pa.float64()),
        "config_version": pa.repeat(pa.scalar(version), n),
        "reasons": pa.array(graded["reasons"].array),
    })
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside the night's transaction
    with raw.cursor() as cur, cur.copy(
        "copy grades_tonight (uscc, grade, score, config_version, reasons) from stdin with (format csv)"
    ) as cp:
        for batch in table.to_batches(max_chunksize=500_000):
            buf = io.BytesIO()
            pacsv.write_csv(pa.Table.from_batches([batch]), buf, pacsv.WriteOptions(include_header=False))
            cp.write(buf.getvalue())


def stage_grades(conn: Connection, night: date, version: str, graded: pd.DataFrame) -> None:
    """COPY tonight's grades into the temporary ``grades_tonight``. The table is dropped at commit;
    only what changed reaches ``grade_ranges``."""
    open_grades_tonight(conn)
    copy_grades(conn, version, graded)
    conn.exec_driver_sql("analyze grades_tonight")   # temporary tables are never auto-analyzed


def store_grades(conn: Connection, night: date, scoped: bool = False) -> None:
    """Tonight's transitions, then the ranges: close those that end tonight, open the new ones.

    Nights are graded in order (``credit.night.steps.open_night`` refuses an earlier night), so the
    open ranges are the previous graded night's grades. A range ends when its entity's grade,
    score, configuration version or reasons differ tonight, or the entity is not graded tonight.
    Three set-based statements; the cost of the writes follows what changed.

    ``scoped`` (a night on the entities of ``night_scope``, :mod:`credit.night.scope`): only the
    ranges of the scope's entities are closed or opened; every other entity keeps its open range,
    which is its grade tonight, so the transitions still count every entity (an entity outside the
    scope goes from its grade to the same grade)."""
    if not scoped:
        conn.execute(text(
            "insert into grade_transitions (night, from_grade, to_grade, count) "
            "select :n, coalesce(p.grade, '-'), coalesce(c.grade, '-'), count(*) "
            "from grades_tonight as c "
            "full join (select uscc, grade from grade_ranges where valid_to is null) as p using (uscc) "
            "group by 2, 3"), {"n": night})
    else:
        conn.execute(sqlfiles.statement("grading/transitions_scope"), {"n": night})
    inside = " and g.uscc in (select s.uscc from night_scope as s)" if scoped else ""
    conn.execute(text(
        "update grade_ranges as g set valid_to = :n "
        "where g.valid_to is null and not exists (select from grades_tonight as t where t.uscc = g.uscc "
        "and t.grade = g.grade and t.score = g.score and t.config_version = g.config_version "
        "and t.reasons = g.reasons)" + inside), {"n": night})
    conn.execute(text(
        "insert into grade_ranges (uscc, valid_from, grade, score, config_version, reasons) "
        "select t.uscc, :n, t.grade, t.score, t.config_version, t.reasons from grades_tonight as t "
        "where not exists (select from grade_ranges as g where g.uscc = t.uscc and g.valid_to is null)"),
        {"n": night})


def current_distribution(conn: Connection) -> dict[str, int]:
    """Entities per tier over the open ranges (after :func:`store_grades`: tonight's grades of
    every entity, in the scope or not)."""
    rows: dict[str, int] = {str(g): int(n) for g, n in conn.execute(text(
        "select grade, count(*) from grade_ranges where valid_to is null group by grade")).all()}
    return {t: rows.get(t, 0) for t in TIERS}


def grade_night(conn: Connection, ctx: NightContext) -> GradingNightSummary:
    """Grade every operating entity for ``ctx.night`` inside the night's transaction (with a scope,
    ``ctx.scope``: the operating entities of the scope; the summary still counts every entity).

    Writes ``grade_ranges`` (only the grades that changed since the previous graded night, with
    the config version), ``grade_transitions`` (from the previous graded night), ``grading_runs``; returns a JSON-able summary
    with the distribution and the distribution-check warnings. Uses no wall-clock time.
    """
    config = load_config("grading", ctx.settings)
    s = scheme_of(config)
    # Sort/hash memory for the indicator joins, for this transaction only (the default 4 MB spills
    # to disk at millions of entities). Operators tune it in config/grading.yaml.
    work_mem = str((config.get("database") or {}).get("work_mem", "256MB"))
    conn.execute(text("select set_config('work_mem', :m, true)"), {"m": work_mem})
    later = conn.execute(text("select max(night) from grading_runs where night >= :n"), {"n": ctx.night}).scalar()
    if later is not None:
        raise ValueError(f"night {ctx.night}: night {later} is already graded (grades are ranges; nights go in order)")
    scoped = is_scoped(ctx.scope)
    calendar = working_calendar(ctx.settings)
    # Chunks of the population (issue 11): the indicator frame holds one chunk at a time, so the
    # client's memory does not grow with the province (grading.yaml database.chunk_entities).
    size = max(1, int((config.get("database") or {}).get("chunk_entities", CHUNK_ENTITIES)))
    n = create_population(conn, scoped)
    open_grades_tonight(conn)
    counts = dict.fromkeys(TIERS, 0)
    warnings: list[str] = []
    for start in range(0, max(n, 1), size):
        if n > size:
            chunk_population(conn, start, size)
        ind = build_indicators(conn, ctx.night, config, calendar, scoped, created=True)
        graded = grade(ind.frame, s)
        copy_grades(conn, config.version, graded)
        warnings += [w for w in ind.warnings if w not in warnings]
        for t, k in distribution(graded["grade"]).items():
            counts[t] += k
        del ind, graded
    conn.exec_driver_sql("analyze grades_tonight")   # temporary tables are never auto-analyzed
    store_grades(conn, ctx.night, scoped)

    prev = _previous_night(conn, ctx.night)

    # A scoped night graded only its scope: the night's figures are those of every entity.
    dist = current_distribution(conn) if scoped else counts
    n_graded = sum(dist.values())
    previous: dict[str, int] | None = None
    if prev is not None:
        previous = conn.execute(text("select distribution from grading_runs where night = :p"), {"p": prev}).scalar()
    if n_graded:
        warnings += check_distribution(distribution_frame(dist, previous, s), s, ctx.settings.expectations_dir)
    conn.execute(text(
        "insert into grading_runs (night, config_version, graded, distribution, warnings, config) "
        "values (:n, :v, :g, cast(:d as jsonb), cast(:w as jsonb), cast(:c as jsonb))"),
        {"n": ctx.night, "v": config.version, "g": n_graded, "d": json.dumps(dist),
         "w": json.dumps(warnings, ensure_ascii=False), "c": json.dumps(config.data, ensure_ascii=False, default=str)})
    return {"graded": n_graded, "config_version": config.version, "distribution": dist,
            "previous_night": prev.isoformat() if prev else None, "warnings": warnings}
