"""Region partitions of a night (issue 12): the per-entity stages computed per region, applied at once.

A night's per-entity stages (store merge, roster decisions, grading) may run per region
partition, each in its own task (the DAG maps them with ``.expand``) and transaction. The region
is the registering authority's division code, USCC positions 3–8 (domain.md §1); the plan
(``config/partitions.yaml``) groups the regions by province (2 digits) or prefecture (4 digits)
into at most ``max_partitions`` contiguous ranges of codes of similar size, and every USCC falls
in exactly one of them (the first and last ranges are open).

Write-audit-publish, region by region:

1. :func:`rehearse` — inside the partition's transaction, under a SAVEPOINT: merge the region's
   staged rows into the store, then, through a scope of the region's entities
   (``night/partition_scope.sql``, :mod:`credit.night.scope`), decide the night's main roster
   pass chunk by chunk (:func:`credit.rosters.decide.candidate_chunks`, the region's rows of each),
   append them (so that tonight's grades see them), grade by chunks of the population
   (:func:`credit.grading.night.graded_chunks`), keep the region's grades; ROLLBACK TO SAVEPOINT.
   Nothing of it stays in the store.
2. Staging, as the rehearsal goes (issue 11: the client holds one chunk, not the region): each
   chunk of decisions (finalised, not numbered) and of grades (with the relation indicators they
   were computed with) is COPYed, as it is made, into the staging tables of migration 0017, keyed by
   night, manifest digest, plan digest and partition, through a second connection of the same
   engine (:class:`PartitionStaging`), in a transaction of its own that the rollback of step 1
   does not touch. It first deletes what an earlier run of the partition staged; :func:`stage`
   writes the partition's summary row (``night_partitions``) last, and the caller
   (:func:`credit.night.steps.run_partition`) commits it only once the rehearsal is rolled back. A
   failure or crash before that commit leaves the partition as it was (an earlier run's staging,
   or nothing, and publish refuses ``partition_missing``). The partition's advisory lock
   (:func:`lock_partition`) is held by the rehearsal's connection from before the staging
   connection opens until after it commits; the staging connection takes no lock and touches only
   the partition's own staging rows, which nothing else writes meanwhile, so it never waits on the
   rehearsal.
3. At publish, in the night's one transaction (:mod:`credit.night.steps`): every partition of
   the plan must be staged (:func:`partition_issues`, else the night is refused,
   ``partition_missing``); the store is merged; :func:`apply_rosters` appends the union of the
   staged decisions in the night's own order (:data:`credit.rosters.log.NIGHT_ORDER`,
   which does not depend on the partitioning), so seq, 文号 and the hash chain are assigned there,
   exactly as an unpartitioned night assigns them, then runs the serious-list procedure's steps on
   the whole store; :func:`apply_grades` takes the staged grades and regrades what crosses regions:
   an entity whose relations (same legal representative, ``related_serious`` / ``related_d``)
   on the whole published store differ from what its partition saw (compared in the database,
   ``night/partition_stale.sql``: only those USCCs reach the client).

A partition only ever sees its own region's changes of tonight (with, for a source keyed without
the USCC, a row that replaces a stored row of the region: a finding or penalty corrected to name
another region's entity changes the entity it named, :class:`credit.night.staging.RowScope`);
what the night decides and grades for an entity depends on the entity's own rows, except the
relations, which step 3 fixes up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NotRequired, TypedDict

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.config import load_config
from credit.context import NightContext
from credit.contract.manifest import Manifest
from credit.contract.sources import SOURCES
from credit.grading.indicators import create_night_facts, create_population
from credit.grading.night import (
    GRADES_TONIGHT,
    GradingNightSummary,
    compute_grades,
    copy_grades,
    graded_chunks,
    open_grades_tonight,
    record_grades,
)
from credit.issues import Issue
from credit.night import scope as night_scope
from credit.night.ingest import hold_stale_night
from credit.night.issues import refused
from credit.night.records import FileOutcome
from credit.night.staging import RowScope, StagingKey, merge_file, publish_quarantine
from credit.penalties.store import maintain_windows
from credit.rosters.decide import RosterNightSummary, append_night, candidate_chunks
from credit.rosters.env import RosterEnv
from credit.rosters.log import INSERT_COLUMNS, LOCK_KEY
from credit.settings import Settings

PARTITION_LOCK = 7262834  # the class of the per-partition advisory locks (two-key form)
DIGITS = {"province": 2, "prefecture": 4, "county": 6}


class PartitionSpec(TypedDict):
    """One region partition of a night's plan (JSON: it travels through Airflow's XCom).

    Division-code prefixes of ``digits`` digits from ``lo`` (inclusive; None: from the first) to
    ``hi`` (exclusive; None: to the last); ``plan`` is the digest of the whole plan."""

    plan: str
    index: int
    count: int
    digits: int
    lo: str | None
    hi: str | None


class PartitionSummary(TypedDict):
    """What one partition staged (``night_partitions.summary``)."""

    partition: int
    decisions: int
    graded: int
    config_version: str      # every configuration in force (credit.night.steps.config_version)
    warnings: list[str]
    seconds: float
    roster_warnings: NotRequired[list[str]]   # facts waiting for the calendar (staged before stop 46: absent)


@dataclass(frozen=True)
class Rehearsal:
    """What one region's rehearsal staged (on the staging connection, not committed yet)."""

    decisions: int            # finalised main-pass rows of the region
    graded: int               # graded rows of the region, with related_serious, related_d
    config_version: str       # grading.yaml's version they were graded with
    warnings: list[str]       # the indicators' warnings
    roster_warnings: list[str] = field(default_factory=list)   # the rosters' (credit.rosters.decide.candidate_chunks)


# --------------------------------------------------------------------------------------------
# The plan
def partitioning(settings: Settings) -> tuple[int, int]:
    """``config/partitions.yaml``: (digits of the division code, max partitions); (4, 1) without it."""
    path = Path(settings.config_dir) / "partitions.yaml"
    if not path.is_file():
        return DIGITS["prefecture"], 1
    cfg = load_config("partitions", settings)
    by = str(cfg.get("by", "prefecture"))
    if by not in DIGITS:
        raise ValueError(f"partitions.yaml: by is one of {', '.join(DIGITS)}, not {by!r}")
    return DIGITS[by], max(1, int(cfg.get("max_partitions", 1)))


def group_regions(counts: list[tuple[str, int]], cap: int) -> list[tuple[str | None, str | None]]:
    """Contiguous ranges of regions (in code order) of similar size, at most ``cap`` of them.

    A region goes to range ⌊(entities before it + half its own) × cap / total⌋ (its middle decides,
    so a large region is not lumped with its neighbours); the first range starts at
    the beginning and the last runs to the end, so a region not counted still has a partition."""
    total = sum(n for _, n in counts)
    if cap <= 1 or total == 0:
        return [(None, None)]
    starts: list[str] = []
    group, before = -1, 0
    for region, n in counts:
        g = min(cap - 1, (2 * before + n) * cap // (2 * total))
        if g > group:
            starts.append(region)
            group = g
        before += n
    bounds: list[str | None] = [None, *starts[1:], None]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def plan_partitions(engine: Engine, manifest: Manifest, settings: Settings,
                    max_partitions: int | None = None) -> list[PartitionSpec]:
    """The night's partitions: regions grouped by the store's and tonight's registered entities.

    ``max_partitions`` overrides ``partitions.yaml``'s cap (``credit nightly --partitions N``)."""
    digits, cap = partitioning(settings)
    if max_partitions is not None:
        cap = max(1, max_partitions)
    with engine.connect() as conn:
        rows = conn.execute(sqlfiles.statement("night/partition_regions"),
                            {"digits": digits, "night": manifest.night, "digest": manifest.digest}).tuples().all()
    ranges = group_regions([(str(r), int(n)) for r, n in rows], cap)
    plan = plan_digest(digits, ranges)
    return [PartitionSpec(plan=plan, index=i, count=len(ranges), digits=digits, lo=lo, hi=hi)
            for i, (lo, hi) in enumerate(ranges)]


def plan_digest(digits: int, ranges: list[tuple[str | None, str | None]]) -> str:
    return hashlib.sha256(json.dumps([digits, ranges]).encode()).hexdigest()[:16]


def check_plan(plan: list[PartitionSpec]) -> str:
    """The plan's digest, after checking its partitions are whole, in order and agree with it."""
    if not plan:
        raise ValueError("an empty partition plan")
    digits = plan[0]["digits"]
    digest = plan_digest(digits, [(p["lo"], p["hi"]) for p in plan])
    if any(p["plan"] != digest or p["index"] != i or p["count"] != len(plan) or p["digits"] != digits
           for i, p in enumerate(plan)):
        raise ValueError("the partition plan does not agree with itself")
    return digest


# --------------------------------------------------------------------------------------------
# A region
def region_sql(spec: PartitionSpec, expr: str, param: str) -> str:
    """``expr`` (a USCC) in the partition; ``param`` formats a parameter name (``:{}`` or ``%({})s``).

    The prefix is compared in byte order ("C"), as :func:`in_region` compares it; a USCC without
    a division code falls in the first partition."""
    prefix = f'substr({expr}, 3, {int(spec["digits"])}) collate "C"'
    parts = []
    if spec["lo"] is not None:
        parts.append(f"{prefix} >= {param.format('p_lo')}")
    if spec["hi"] is not None:
        parts.append(f"{prefix} < {param.format('p_hi')}")
    cond = " and ".join(parts) or "true"
    return f"({expr} is null or {cond})" if spec["lo"] is None else f"({cond})"


def row_scope(spec: PartitionSpec) -> RowScope:
    """The partition's staged rows (``r``) and store rows (``t``), for the merge."""
    return RowScope(region_sql(spec, "r.uscc", ":{}"), region_sql(spec, "t.uscc", "%({})s"),
                    {"p_lo": spec["lo"], "p_hi": spec["hi"]}, region_sql(spec, "t.uscc", ":{}"))


def in_region(spec: PartitionSpec, uscc: pd.Series) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Which of ``uscc`` fall in the partition (as :func:`region_sql` decides it)."""
    prefix = uscc.astype("string").str.slice(2, 2 + int(spec["digits"]))
    keep = pd.Series(True, index=uscc.index)
    if spec["lo"] is not None:
        keep &= (prefix >= spec["lo"]).fillna(False).astype(bool)
    if spec["hi"] is not None:
        keep &= (prefix < spec["hi"]).fillna(False).astype(bool)
    if spec["lo"] is None:
        keep |= uscc.isna()
    return keep.to_numpy(dtype=bool)


def lock_partition(conn: Connection, night_key: StagingKey, spec: PartitionSpec, *, shared: bool = False) -> None:
    """Hold the partition's staging lock to the end of the transaction (exclusive to stage it, shared to publish)."""
    conn.execute(sqlfiles.statement("night/partition_lock_shared" if shared else "night/partition_lock"),
                 {"cls": PARTITION_LOCK,
                  "k": f"{night_key.night.isoformat()}/{night_key.digest}/{spec['plan']}/{spec['index']}"})


def _key_params(manifest: Manifest, plan: str, partition: int | None = None) -> dict[str, object]:
    out: dict[str, object] = {"night": manifest.night, "digest": manifest.digest, "plan": plan}
    if partition is not None:
        out["partition"] = partition
    return out


class PartitionStaging:
    """One partition's results on their way to the staging tables of migration 0017, written through
    the staging connection ``out`` (a transaction of its own, not the rehearsal's): what was staged
    for the partition before is deleted first, then every chunk is COPYed as the rehearsal makes it,
    so the client holds one chunk at a time (issue 11). Nothing is visible to publish until the
    caller commits ``out``, after the summary row (:func:`stage`)."""

    def __init__(self, out: Connection, manifest: Manifest, spec: PartitionSpec) -> None:
        self.out, self.manifest, self.spec = out, manifest, spec
        self.decisions = self.graded = 0
        out.execute(sqlfiles.statement("night/partition_clear"), _key_params(manifest, spec["plan"], spec["index"]))

    def add_decisions(self, rows: pd.DataFrame) -> None:
        """Finalised log rows (:data:`INSERT_COLUMNS`), numbered (``ord``) after those added before."""
        if rows.empty:
            return
        df = rows.reindex(columns=INSERT_COLUMNS).astype(object)
        df = df.where(df.notna(), None)
        m, s = self.manifest, self.spec
        raw = self.out.connection.driver_connection
        assert raw is not None  # a live connection inside the staging transaction
        with raw.cursor() as cur, cur.copy(sqlfiles.text_of("night/partition_decisions_copy")) as cp:
            for i, rec in enumerate(df.to_dict("records"), start=self.decisions):
                cp.write_row((m.night, m.digest, s["plan"], s["index"], i,
                              json.dumps(rec, ensure_ascii=False, default=str)))
        self.decisions += len(df)

    def add_grades(self, grades: pd.DataFrame, version: str) -> None:
        """Graded rows, with the relation indicators they were computed with."""
        n = len(grades)
        if not n:
            return
        m, s = self.manifest, self.spec
        copy_grades(self.out, "night_partition_grades (uscc, grade, score, config_version, reasons, night, digest, "
                              "plan, partition, related_serious, related_d)", grades, version, extra={
                                  "night": pa.repeat(pa.scalar(m.night.isoformat()), n),
                                  "digest": pa.repeat(pa.scalar(m.digest), n),
                                  "plan": pa.repeat(pa.scalar(s["plan"]), n),
                                  "partition": pa.repeat(pa.scalar(s["index"], pa.int64()), n),
                                  "related_serious": pa.array(grades["related_serious"].to_numpy(), pa.int64()),
                                  "related_d": pa.array(grades["related_d"].to_numpy(), pa.int64())})
        self.graded += n


def rehearse(conn: Connection, manifest: Manifest, outcomes: list[FileOutcome], spec: PartitionSpec,
             settings: Settings, out: Connection) -> Rehearsal:
    """The region's results, computed on the store as the night would leave it for the region, then
    rolled back (a SAVEPOINT inside the caller's transaction ``conn``): nothing of it stays in the
    store. The results go, a chunk at a time as they are made, to the staging tables through
    ``out`` (:class:`PartitionStaging`), which the rollback does not touch."""
    staging = PartitionStaging(out, manifest, spec)
    conn.exec_driver_sql(sqlfiles.text_of("night/partition_rehearsal_begin"))
    scope = row_scope(spec)
    # As publish does (M5): the stale rows held back, and a file they take past the quality gate's
    # ceiling refuses the night here already (NightRefused: nothing of the partition is staged).
    # A source without a stamp, the inspectors' included, has none.
    hold_stale_night(conn, manifest, outcomes, settings.ingest_chunk_rows, settings.ingest_max_record_lines,
                     load_config("quality", settings), settings.ingest_max_record_bytes)
    for o in sorted(outcomes, key=lambda o: list(SOURCES).index(o.source)):
        source = SOURCES[o.source]
        # Sources without a USCC (the inspectors, for the draws) change no entity's decisions or
        # grade: not rehearsed (rehearsing them whole would make the partitions wait on each other's rows).
        key = StagingKey(manifest.night, manifest.digest, o.file)
        if "uscc" in source.column_names:
            merge_file(conn, source, o.mode, key, scope, absent=o.absent)
        # Tonight's held-back rows too: a quarantined annual report holds its cause-1 decision
        # (view quarantined_annual_reports). All of them (the view reads a normalised USCC), so
        # partitions running side by side wait here for each other's rollback: see docs/scaling.md.
        publish_quarantine(conn, key)
    # The region's entities only (issue 12: the partitions divide the per-entity work): a scope of
    # every entity the store knows in the region (night/partition_scope.sql), through which the
    # roster candidates, the penalty windows and the grading population are read
    # (:mod:`credit.night.scope`). Whatever tonight's scope at publish: it keeps what it needs.
    region = night_scope.of_query(conn, "night/partition_scope",
                                 {"digits": spec["digits"], "p_lo": spec["lo"], "p_hi": spec["hi"]}, mode="region")
    ctx = NightContext(manifest.night, manifest.digest, settings, region)
    env = RosterEnv.load(settings)
    windows = maintain_windows(conn, ctx.night, settings, scope=region)
    waiting: list[str] = []   # facts waiting for the calendar, for the night's summary

    def region_chunks() -> Iterator[pd.DataFrame]:
        # The region's candidates, a chunk at a time: staged, and appended (so that tonight's
        # grades see them). Computed without the log's lock (append_night takes it once they are
        # all in its stage): the partitions compute theirs side by side; from the append to the
        # rollback the log's lock orders the rehearsals (seq is "previous + 1", one writer at a
        # time), released by ROLLBACK TO SAVEPOINT.
        for rows in candidate_chunks(conn, ctx, env, lock=False, waiting=waiting):
            if rows.empty:
                continue
            rows = rows[in_region(spec, rows["uscc"])].reset_index(drop=True)
            staging.add_decisions(rows)
            yield rows

    append_night(conn, ctx, env, region_chunks(), windows, anchor=False)
    version, warnings = "", []
    for g in graded_chunks(conn, ctx):
        version = g.config.version
        staging.add_grades(g.frame[in_region(spec, g.frame["uscc"])], version)
        warnings += [w for w in g.warnings if w not in warnings]
        del g
    conn.exec_driver_sql(sqlfiles.text_of("night/partition_rehearsal_undo"))
    conn.exec_driver_sql(sqlfiles.text_of("night/partition_rehearsal_end"))
    return Rehearsal(staging.decisions, staging.graded, version, warnings, waiting)


def stage(out: Connection, manifest: Manifest, spec: PartitionSpec, r: Rehearsal, seconds: float,
          config: str) -> PartitionSummary:
    """The partition's summary row, last, on the staging connection ``out`` that :func:`rehearse`
    staged its rows through; ``config``: every configuration in force, which publish compares with
    its own. The caller commits ``out`` (only after the rehearsal was rolled back): the partition is
    then staged whole, replacing what an earlier run of it staged."""
    params = _key_params(manifest, spec["plan"], spec["index"])
    summary = PartitionSummary(partition=spec["index"], decisions=r.decisions, graded=r.graded,
                               config_version=config, warnings=r.warnings, seconds=round(seconds, 3),
                               roster_warnings=r.roster_warnings)
    out.execute(sqlfiles.statement("night/partition_record"),
        {**params, "spec": json.dumps(spec), "summary": json.dumps(summary, ensure_ascii=False)})
    return summary


# --------------------------------------------------------------------------------------------
# Publish: check, then apply
def partition_issues(conn: Connection, manifest: Manifest, plan: list[PartitionSpec], config: str) -> list[Issue]:
    """Partitions of the plan not staged for this drop (``partition_missing``), or staged under
    another configuration than ``config`` (``partition_stale``, naming what differs). Their staging
    is held (shared lock) until the night commits, so a partition re-run cannot replace it meanwhile."""
    digest = check_plan(plan)
    key = StagingKey(manifest.night, manifest.digest, "")
    for spec in plan:
        lock_partition(conn, key, spec, shared=True)
    staged = {int(r["partition"]): r for r in conn.execute(
        sqlfiles.statement("night/partition_staged"), _key_params(manifest, digest)).mappings()}
    issues = []
    for spec in plan:
        s = staged.get(spec["index"])
        where = f"partition {spec['index'] + 1}/{spec['count']}"
        if s is not None and s["spec"] == dict(spec) and s["summary"]["config_version"] != config:
            then, now = config_difference(str(s["summary"]["config_version"]), config)
            issues.append(refused(where, "partition_stale", partition=spec["index"] + 1, count=spec["count"],
                                  staged=then, current=now))
        elif s is None or s["spec"] != dict(spec):
            issues.append(refused(where, "partition_missing",
                                  partition=spec["index"] + 1, count=spec["count"], plan=digest[:12]))
    return issues


def config_difference(staged: str, current: str) -> tuple[str, str]:
    """What differs between two configuration versions (``label@digest;…``, with the code's results
    revision): the parts only the staged one has, and those only the current one has ("—" for none)."""
    then, now = staged.split(";"), current.split(";")
    return ("、".join(x for x in then if x not in now) or "—", "、".join(x for x in now if x not in then) or "—")


def staged_summaries(conn: Connection, manifest: Manifest, plan: list[PartitionSpec]) -> list[PartitionSummary]:
    rows = conn.execute(sqlfiles.statement("night/partition_staged"), _key_params(manifest, check_plan(plan)))
    return [r.summary for r in rows]


def apply_rosters(conn: Connection, ctx: NightContext, manifest: Manifest, plan: list[PartitionSpec]) -> RosterNightSummary:
    """Tonight's penalty windows, then the partitions' decisions appended as one night's (numbered
    and chained here, in the night's order), then the serious-list procedure; all within the
    night's scope (``ctx.scope``, issue 11: the partitions decided every entity of their region)."""
    env = RosterEnv.load(ctx.settings)
    conn.execute(sqlfiles.statement("storage/advisory_xact_lock"), {"k": LOCK_KEY})
    windows = maintain_windows(conn, ctx.night, ctx.settings, scope=ctx.scope)
    return append_night(conn, ctx, env, _staged_decisions(conn, ctx, manifest, plan), windows)


def _staged_decisions(conn: Connection, ctx: NightContext, manifest: Manifest,
                      plan: list[PartitionSpec]) -> Iterator[pd.DataFrame]:
    """The partitions' staged decisions of the night's scope, ``CREDIT_ROSTERS_CHUNK_ROWS`` at a
    time from a server-side cursor (issue 11: publish does not hold a province's decisions; the
    log's writer puts them in the night's order)."""
    for part in night_scope.frames(conn, "night/partition_decisions", _key_params(manifest, check_plan(plan)),
                                   None, ctx.settings.rosters_chunk_rows):
        yield night_scope.keep(pd.DataFrame(list(part["row"]), columns=INSERT_COLUMNS), conn, ctx.scope)


def stale_entities(conn: Connection, ctx: NightContext, manifest: Manifest, plan: list[PartitionSpec]) -> list[str]:
    """The entities :func:`apply_grades` grades again, in USCC order: their relations on the store as
    it stands (tonight's roster decisions applied) differ from the staged ones, or they are graded
    on one side only. Compared in the database (issue 11, ``night/partition_stale.sql``): tonight's
    population and its relations go to temporary tables (``grading_population``,
    ``grading_relations``); only the stale USCCs reach the client."""
    scoped = night_scope.is_scoped(ctx.scope)
    create_population(conn, scoped)
    create_night_facts(conn, ctx.night)
    conn.exec_driver_sql(sqlfiles.text_of("storage/drop_table_if_exists").format(table="grading_relations"))
    conn.exec_driver_sql(sqlfiles.text_of("storage/temporary_table_as").format(
        table="grading_relations", query=sqlfiles.text_of("grading/relations")))
    return [str(u) for u in conn.execute(sqlfiles.statement("night/partition_stale"),
                                         {**_key_params(manifest, check_plan(plan)), "scoped": scoped}).scalars()]


def apply_grades(conn: Connection, ctx: NightContext, manifest: Manifest, plan: list[PartitionSpec],
                 warnings: list[str]) -> tuple[GradingNightSummary, int]:
    """The partitions' grades become tonight's, except where the relations cross regions: an entity
    whose ``related_serious`` / ``related_d`` on the whole published store (tonight's roster
    decisions applied) differ from its partition's, or that its partition did not grade (or graded
    although it is not graded tonight), is graded again here. Returns the summary and how many
    entities were graded again."""
    params = _key_params(manifest, check_plan(plan))
    scoped = night_scope.is_scoped(ctx.scope)
    open_grades_tonight(conn)
    conn.execute(sqlfiles.statement("night/partition_grades_tonight"), params)
    if scoped:   # an incremental night (issue 11): tonight's grades are those of its scope only
        conn.exec_driver_sql(sqlfiles.text_of("night/partition_grades_scope"))
    stale = stale_entities(conn, ctx, manifest, plan)
    if stale:
        # Graded again through a scope of just these entities, then the night's scope is restored.
        inside = conn.exec_driver_sql(sqlfiles.text_of("night/scope_all")).scalars().all() if scoped else []
        again = compute_grades(conn, replace(ctx, scope=night_scope.of_entities(conn, stale)))
        if scoped:
            night_scope.of_entities(conn, inside)
        else:
            night_scope.everything(conn)
        conn.execute(sqlfiles.statement("night/partition_grades_drop"), {"u": stale})
        copy_grades(conn, GRADES_TONIGHT, again.frame,
                    again.config.version)
    conn.exec_driver_sql(sqlfiles.text_of("storage/analyze_table").format(table="grades_tonight"))
    # The partitions graded with the files in force now (partition_issues: the same configuration version).
    return record_grades(conn, ctx, load_config("grading", ctx.settings), warnings,
                         rosters=RosterEnv.load(ctx.settings).cfg), len(stale)
