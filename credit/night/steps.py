"""One night, end to end: check the drop, ingest every file, pass the gate, publish (write-audit-publish).

The steps are plain functions, and both ``credit nightly`` (:func:`run_night`) and the Airflow DAG
``credit_nightly`` (one task per step) call exactly these:

1. :func:`open_night` — read and check the manifest; refuse a night out of order; spot a night
   that is already published (re-running it changes nothing).
2. :func:`ingest_file` — one file: parse, normalise, validate (GX), split into accepted and
   quarantined rows; staged with its outcome in the night's staging tables
   (:mod:`credit.night.staging`, keyed by night, manifest digest and file), nothing published yet.
   Nothing passes between the steps on a local disk: ingest and publish may run on different hosts.
3. :func:`publish_night` — :func:`gate` (file-level failures and quarantine shares: any failure
   refuses the night), then one transaction: store merge, quarantine, rosters, grading, the
   双告知 notices to licensing departments, the night's record. A failure anywhere rolls everything back: yesterday's state stays as it was.
   The nightly report is written after the commit, from what was committed, and the night's
   staging is deleted.

A partitioned night (issue 12, :mod:`credit.night.partitions`) puts two steps between them:
:func:`plan_night` splits the night into region partitions, :func:`run_partition` computes and
stages one partition's results (one task each in the DAG, mapped with ``.expand``), and
:func:`publish_night` with the plan applies them all in its one transaction.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Collection
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import clock, sqlfiles
from credit.config import config_versions, load_config
from credit.context import NightContext
from credit.contract.manifest import DropError, Manifest, read_manifest
from credit.contract.sources import SOURCES
from credit.db import engine_for
from credit.grading.night import grade_night
from credit.grading.report import page_path, write_night_report
from credit.issues import Issue
from credit.night import ingest, merge, partitions, quality, staging, suites
from credit.night import scope as night_scope
from credit.night.faults import fault_point
from credit.night.issues import NightRefused, refused, warned
from credit.night.partitions import PartitionSpec, PartitionSummary
from credit.night.records import UNLISTED_SHOWN, FileOutcome, GradingPart, NightSummary
from credit.night.summary_lines import summary_lines
from credit.notices.night import produce_notices
from credit.rosters.anchors import publish_anchors
from credit.rosters.decide import decide_night, with_warnings
from credit.settings import Settings

PUBLISH_LOCK = 7262832  # one night is published at a time, whatever starts them
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NightOpened:
    """A night whose manifest checked out: still to publish, or published already (with its summary)."""

    manifest: Manifest
    summary: NightSummary | None = None

    @property
    def already_published(self) -> bool:
        return self.summary is not None


#: The revision of how this code derives a night's results (decisions, grades and their reasons)
#: from the same inputs and configuration. Raise it with every change that gives an entity whose
#: inputs did not change another result — a reason's value computed otherwise, a rule read anew —
#: so that the first night after the upgrade runs full (``results_revision``, docs/incremental.md)
#: and no entity outside an incremental night's scope keeps what the new code would not give.
#: 2026.12.2: INSURED_DROP graded in whole percents, as its reason shows it (bbgrade).
#: 2026.12.3: a listing on a finding later corrected to name another entity is revoked as wrong,
#: and the entity it names now is decided on its own (findfix; domain.md §3.4).
#: 2026.12.4: a listing revoked because its finding now names another entity covers no other fact
#: on the cause, and a finding corrected back lists the entity it names again (reviewA; §3.4).
#: 2026.12.5 (grade3): a social-security period after the night's month is not graded until its month
#: comes (domain.md §11).
#: 2026.12.5–2026.12.8 (corr, on its branch; 2026.12.9 once merged with grade3's 2026.12.5):
#: a penalty corrected to name another entity revokes the serious-list procedure (listing or
#: pending proposal) of the entity it named, and the entity it names now is proposed on its own
#: (domain.md §4, §6 art. 11); a listing on a finding corrected to another kind (another cause) is
#: revoked as wrong, and the cause it names now is decided on its own the same night (domain.md §3.1,
#: §3.4); a listing on a finding a full snapshot no longer holds is revoked as wrong (contracts.md §1,
#: domain.md §3.4); a penalty corrected back to an entity whose procedure on it was revoked so
#: proposes that entity anew (domain.md §4).
#: 2026.12.10 (corr2): a penalty a full snapshot no longer holds revokes the serious-list procedure it
#: started (ser.revoke.penalty_dropped); a revocation for a penalty corrected to name another entity
#: is worded as such (ser.revoke.penalty_reassigned), not as a revoked decision; a pending repair
#: application on a penalty no longer the applicant's ends (pen.end.repair) (domain.md §3.4, §4, §5.1);
#: a penalty's publicity window follows the entity it names (a correction appends a window naming
#: the new one: penalties.store.COMPARED), so it is that entity's penalty from then on (§5, §6).
#: 2026.12.11 (stop 46): an ordered period (finding ``ordered_disclosure_overdue``) whose last day is in
#: a year the calendar does not know waits for the year's notice instead of ending on that day
#: (民法典 art. 203, domain.md §12).
RESULTS_REVISION = "2026.12.11"
#: How the revision is named in a night's ``config_version``, after the configuration files.
RESULTS_PREFIX = "results@"


def config_version(settings: Settings) -> str:
    """Every configuration file in force, and the code's :data:`RESULTS_REVISION`, for the night's
    record."""
    files = config_versions(sorted(p.stem for p in Path(settings.config_dir).glob("*.yaml")), settings)
    return f"{files};{RESULTS_PREFIX}{RESULTS_REVISION}"


def first_night(settings: Settings) -> date | None:
    """The first night this store may publish (``quality.yaml`` ``first_night``), or None."""
    value = load_config("quality", settings).get("first_night")
    return date.fromisoformat(str(value)) if value else None


def earliest_date(settings: Settings) -> date | None:
    """The earliest believable past date of the drop (``quality.yaml`` ``earliest_date``)."""
    value = load_config("quality", settings).get("earliest_date")
    return date.fromisoformat(str(value)) if value else None


def _earlier_nights_in_drop(drop: Path, night: date) -> list[date]:
    """Nights delivered in the drop folder before ``night`` (folders ``YYYY-MM-DD`` with a manifest)."""
    found = []
    for child in drop.glob("????-??-??"):
        try:
            d = date.fromisoformat(child.name)
        except ValueError:
            continue
        if d < night and (child / "manifest.json").is_file():
            found.append(d)
    return sorted(found)


def _skipped_but_delivered(drop: Path, night: date, latest: date | None, first: date | None) -> list[date]:
    """The nights ``--allow-gap`` would skip that the drop folder holds (a folder with a manifest).

    ``--allow-gap`` confirms that "the platform delivered nothing" for the missing nights (the
    CLI's help, ``night_gap``): a night delivered and skipped is lost for good, as it is refused as
    out of order once a later night is published (contracts.md §2: nights build on each other;
    outsider's report M3). Skipped: the nights after the latest published one, or on an empty
    store those from ``first_night`` on (every earlier one delivered, when it is unset)."""
    start = latest + timedelta(days=1) if latest is not None else first
    return [d for d in _earlier_nights_in_drop(drop, night) if start is None or d >= start]


def _days(days: Collection[date], sep: str = ", ") -> str:
    return sep.join(d.isoformat() for d in days)


def sequence_issues(conn: sa.Connection, manifest: Manifest, settings: Settings, *, allow_gap: bool,
                    skip_nights: Collection[date] = ()) -> list[Issue]:
    """The night's place in the sequence: refusals (empty: it may publish after the last one).

    A night after today on the bureau's clock (:mod:`credit.clock`) is refused first: its day has
    not begun, so the date is a mistake, and once published it would refuse every real night
    after it (``night_out_of_order``). Today's own night is not refused (the schedule runs night
    D on D+1, but an officer may run it once the platform has delivered).

    Checked when the night opens and again inside the publishing transaction, under the lock, so
    that two runs started together cannot both pass. A night already published from *another*
    drop is refused (its digest differs); the same drop is not an issue here (it is recognised as
    already published), nor is the same drop whose manifest was written again (other white space
    or key order: the same :attr:`Manifest.content_digest` as the published night recorded). On
    an empty store the first night is ``first_night`` of ``quality.yaml`` when set; otherwise the
    earliest night delivered in the drop folder, so that nights 13 and 14 started together on a
    fresh database cannot publish 14 first.
    ``allow_gap`` skips missing nights only: one the drop folder holds is refused
    (``night_gap_delivered``, :func:`_skipped_but_delivered`) unless ``skip_nights`` names it — an
    officer's word that the delivered night cannot be published (refused, and the platform cannot
    deliver it again), without which a night refused for good would block every later night. Each
    night ``skip_nights`` names must be one the gap skips and the drop folder holds
    (``night_skip_not_in_gap``), and only with ``allow_gap`` (``night_skip_needs_gap``).
    """
    night = manifest.night
    today = clock.today(settings)
    if night > today:   # a mistyped date published would refuse every real night after it as out of order
        return [refused("manifest.json", "night_in_future", night=night, today=today, zone=clock.zone(settings).key)]
    row = conn.execute(sqlfiles.statement("night/published_manifest"), {"n": night}).first()
    done, content = (None, None) if row is None else row
    if done is not None:
        if done != manifest.digest and content != manifest.content_digest:
            return [refused("manifest.json", "night_already_published", night=night,
                            published=str(done)[:12], digest=manifest.digest[:12])]
        return []
    latest = conn.execute(sqlfiles.statement("storage/last_night")).scalar()
    if latest is not None and night < latest:
        return [refused("manifest.json", "night_out_of_order", night=night, latest=latest)]
    named = sorted(set(skip_nights))
    if named and not allow_gap:
        return [refused("manifest.json", "night_skip_needs_gap", nights=_days(named))]
    delivered = _skipped_but_delivered(manifest.folder.parent, night, latest, first_night(settings)) if allow_gap else []
    if stray := [d for d in named if d not in delivered]:
        return [refused("manifest.json", "night_skip_not_in_gap", nights=_days(stray),
                        latest=latest.isoformat() if latest is not None else "-", night=night)]
    if unskipped := [d for d in delivered if d not in named]:
        return [refused("manifest.json", "night_gap_delivered", nights=_days(unskipped, "、"),
                        nights_en=_days(unskipped))]
    if latest is not None and (night - latest).days > 1 and not allow_gap:
        return [refused("manifest.json", "night_gap", missing=latest + timedelta(days=1))]
    if latest is None:
        first = first_night(settings)
        if first is not None and night < first:
            return [refused("manifest.json", "night_before_first", night=night, first=first)]
        if not allow_gap:
            if first is not None and night > first:
                return [refused("manifest.json", "night_gap", missing=first)]
            if first is None:
                earlier = _earlier_nights_in_drop(manifest.folder.parent, night)
                if earlier:
                    return [refused("manifest.json", "night_gap", missing=earlier[0])]
    return []


# --------------------------------------------------------------------------------------------
def manifest_of(drop: Path, night: date) -> Manifest:
    """The night's checked manifest; a drop that disagrees with it refuses the night."""
    try:
        return read_manifest(drop, night)
    except DropError as e:
        raise NightRefused(night, [e.issue]) from e


def open_night(drop: Path, night: date, settings: Settings, *, allow_gap: bool = False,
               skip_nights: Collection[date] = ()) -> NightOpened:
    """Check the manifest and the night's place in the sequence (nothing is written).

    Nights are published one calendar day after another: a delta builds on the night before, so
    a skipped night would lose its changes for good. ``allow_gap`` records an officer's word that
    the platform delivered nothing for the missing nights.
    """
    suites.warm_up()   # Great Expectations is imported meanwhile (checksums, sequence), not by the first file
    manifest = manifest_of(drop, night)
    for name in manifest.unlisted:   # not read (contracts.md §1); named in the summary too
        log.warning("「%s」未列入 manifest.json，未读取 (not listed in manifest.json, not read) [unlisted_file]", name)
    with engine_for(settings).connect() as conn:
        issues = sequence_issues(conn, manifest, settings, allow_gap=allow_gap, skip_nights=skip_nights)
        done = conn.execute(sqlfiles.statement("night/stored_summary"), {"n": night}).scalar()
    if issues:
        raise NightRefused(night, issues)
    fault_point("open:after")
    if done is not None:
        return NightOpened(manifest, cast(NightSummary, done))
    return NightOpened(manifest)


def staging_key(manifest: Manifest, file: str) -> staging.StagingKey:
    """Where one file of this drop waits for publishing: keyed by the manifest's digest, so that two
    runs of one night from different drops never read each other's rows."""
    return staging.StagingKey(manifest.night, manifest.digest, file)


def ingest_file(manifest: Manifest, file: str, settings: Settings) -> FileOutcome:
    """Parse, normalise and validate one file; stage its outcome, accepted and quarantined rows.

    In chunks of ``settings.ingest_chunk_rows`` records (:mod:`credit.night.ingest`, issue 11).
    Staging replaces what an earlier run of the same file and drop staged (a re-run after a crash).
    """
    suites.warm_up()   # imported meanwhile, while the first chunk is read
    df = manifest.file(file)
    return ingest.ingest(engine_for(settings), staging_key(manifest, file), df, manifest.night,
                         settings.expectations_dir / f"{df.source.name}.json",
                         chunk_rows=settings.ingest_chunk_rows, max_record_lines=settings.ingest_max_record_lines,
                         earliest=earliest_date(settings), max_record_bytes=settings.ingest_max_record_bytes)


def ingest_files(manifest: Manifest, settings: Settings, progress: Callable[[str], object] | None = None) -> None:
    """Every file of the drop, each through :func:`ingest_file` (what the DAG's mapped ingest tasks
    do side by side).

    Issue 11: when at least two files hold more than one chunk of rows, ``settings.ingest_processes``
    streams ingest at once: this process (in a thread) and ``ingest_processes - 1`` spawned worker
    processes, each taking the largest file left as it becomes free — largest by cells (rows ×
    the source's columns), which follows a file's work better than its rows (at 1 M: 1.0 M
    registration rows of 13 columns took 20 s, 2.0 M annual-report rows of 6 took 17 s); the
    streams then end close together. Otherwise (a small drop, where
    starting a process that imports Great Expectations costs more than the files) one file after
    another here, in the manifest's order.

    The streams share the chunk: each reads ``ingest_chunk_rows`` / streams rows at a time, so the
    rows in memory at once stay one chunk's (≤ 1.5 GB at any N; with a whole chunk each and the
    parent idle beside two workers, a 1 M first night took 1.7 GB). Each file is staged in its own
    transaction (:mod:`credit.night.staging`) and what is staged does not depend on the chunk or
    the order (``tests/db/night/test_chunks.py``). The first failure stops the files not started;
    those running finish, then it is raised here."""
    big = sum(f.rows > settings.ingest_chunk_rows for f in manifest.files)
    streams = min(settings.ingest_processes, big)
    if streams < 2:
        for f in manifest.files:
            if progress:
                progress(f"ingesting {f.file}")
            ingest_file(manifest, f.file, settings)
        return
    if progress:
        progress(f"ingesting {len(manifest.files)} files in {streams} processes")
    shared = settings.model_copy(update={"ingest_chunk_rows": max(1, settings.ingest_chunk_rows // streams)})
    left = deque(sorted(manifest.files, key=lambda f: f.rows * len(f.source.columns), reverse=True))
    # spawn, not fork: this process holds a database connection and Great Expectations' import thread
    with ThreadPoolExecutor(1, thread_name_prefix="ingest") as here, \
            ProcessPoolExecutor(streams - 1, mp_context=multiprocessing.get_context("spawn")) as there:
        free: dict[Executor, int] = {here: 1, there: streams - 1}   # here first: no process to start
        running: dict[Future[FileOutcome], tuple[Executor, str]] = {}

        def start() -> None:
            for pool in free:
                while free[pool] and left:
                    f = left.popleft()
                    running[pool.submit(ingest_file, manifest, f.file, shared)] = (pool, f.file)
                    free[pool] -= 1

        start()
        failed: BaseException | None = None
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                pool, name = running.pop(future)
                free[pool] += 1
                if (error := future.exception()) is not None:
                    failed = failed or error
                    left.clear()
                elif progress:
                    progress(f"ingested {name}")
            start()
        if failed is not None:
            raise failed


def staged_outcomes(manifest: Manifest, settings: Settings) -> list[FileOutcome]:
    """The outcomes staged for this drop's files, in the manifest's order (a file not staged is left
    out: the publishing transaction refuses the night for it, ``staging_missing``). The staged rows
    are counted against the outcomes there, under the staging's lock, not here."""
    with engine_for(settings).connect() as conn:
        staged = staging.staged_files(conn, manifest.night, manifest.digest, counted=False)
    return [staged[f.file].outcome for f in manifest.files if f.file in staged]


def gate(outcomes: list[FileOutcome], settings: Settings, accept_shrink: Collection[str] = ()) -> list[Issue]:
    """File-level verdicts; returns the failures (empty: the night may publish). ``accept_shrink``:
    the sources whose full snapshot may shrink tonight (:func:`shrink_issues`)."""
    cfg = load_config("quality", settings)
    failures: list[Issue] = []
    for o in outcomes:
        failures += o.failures
        if o.failures:
            continue
        if (over := quality.over_ceiling(o.file, o.source, o.rows_in, o.quarantined, cfg)) is not None:
            failures.append(over)
    with engine_for(settings).connect() as conn:
        failures += [i for i in shrink_issues(conn, [o for o in outcomes if not o.failures], settings, accept_shrink)
                     if i.level == "refusal"]
    return failures


def shrink_issues(conn: sa.Connection, outcomes: list[FileOutcome], settings: Settings,
                  accept: Collection[str] = ()) -> list[Issue]:
    """Full snapshots that would shrink their source below the gate's share — an empty one included:
    a refusal each, or a warning for a source the clerk confirmed (``accept``).

    A full file replaces its source's state, so a header-only ``registration.csv`` would drop every
    entity: it is refused like any truncated export (checked again under the publishing lock).

    A source of fewer stored rows than ``full_snapshot_min_rows`` (``quality.yaml``; unset, the
    ``ceiling_min_rows`` that spares small files the quarantine share) is too small for a share to
    mean anything, as for the quarantine ceiling: its snapshot may shrink, unless it is empty (a
    header-only file is the truncation this check is for). Two penalties becoming one are 50 %
    and were refused with no way to publish them but editing the configuration (outsider's report
    M4). A genuine shrink of a larger source is confirmed on the command line, ``credit nightly
    --accept-shrink SOURCE`` (a compatible extension of contracts.md §2, README): it is then
    recorded with the night (``shrink_accepted`` of its summary) instead of refused.
    """
    cfg = load_config("quality", settings)
    min_share = float(cfg["full_snapshot_min_share"])
    floor = cfg.get("full_snapshot_min_rows")
    min_rows = int(cfg.get("ceiling_min_rows", 0) if floor is None else floor)
    issues: list[Issue] = []
    for o in outcomes:
        if o.mode != "full":
            continue
        current = merge.current_rows(conn, SOURCES[o.source])
        if not current or o.accepted >= min_share * current:
            continue
        if current < min_rows and o.accepted:
            # published, but said: a shrink too small to judge by its share is still the clerk's to see
            issues.append(warned(o.file, "full_snapshot_shrink_small", accepted=o.accepted, current=current,
                                 source=o.source))
        elif o.source in accept:
            issues.append(warned(o.file, "full_snapshot_shrink_accepted", accepted=o.accepted, current=current,
                                 source=o.source))
        else:
            issues.append(refused(o.file, "full_snapshot_shrink", accepted=o.accepted, current=current,
                                  min_share=min_share, source=o.source))
    return issues


def publish_night(manifest: Manifest, outcomes: list[FileOutcome] | None, settings: Settings, *,
                  started_at: datetime | None = None, gap_allowed: bool = False, full: bool = False,
                  plan: list[PartitionSpec] | None = None, accept_shrink: Collection[str] = (),
                  skip_nights: Collection[date] = ()) -> NightSummary:
    """Gate, publish in one transaction, then write the nightly report from what was committed.

    ``outcomes`` None: the outcomes staged for this drop (:func:`staged_outcomes`), as ``credit
    nightly`` and the DAG's ``publish`` task do; the rows always come from the night's staging.
    Raises :class:`NightRefused` when the gate fails. Returns the night's summary; a night
    published meanwhile by a concurrent run returns that run's summary, marked ``already_published``.
    After the commit the night's staging (and any earlier night's) is deleted. A refusal keeps the
    drop's staging: once its cause is fixed (an earlier night published, a ceiling configured), the
    DAG's ``publish`` task alone may be cleared and run again. ``full``: recompute every entity
    (``credit nightly --full``); otherwise the night's scope decides (:func:`credit.night.scope.for_night`).

    ``plan``: the night was computed in region partitions (:func:`run_partition`): their staged
    results are applied instead of deciding and grading here (within the night's scope); a
    partition of the plan not staged refuses the night (``partition_missing``). ``accept_shrink``:
    sources whose full snapshot the clerk confirmed may shrink (:func:`shrink_issues`).
    """
    if outcomes is None:
        outcomes = staged_outcomes(manifest, settings)
    failures = gate(outcomes, settings, accept_shrink)
    if failures:
        raise NightRefused(manifest.night, failures)
    engine = engine_for(settings)
    summary = _publish(engine, manifest, outcomes, settings, started_at or datetime.now(UTC), gap_allowed, full,
                       plan, accept_shrink, skip_nights)
    staging.clear_published(engine, manifest.night)
    analyzed = refresh_statistics(engine)
    if not summary.get("already_published"):
        write_night_report(engine, settings, manifest.night)   # at the path the night's record names
    else:
        ensure_report(settings, manifest.night)
    # the chain head, signed, outside the database (credit.rosters.anchors); the rows this process
    # appended are not walked again, a night committed by an earlier process is
    own = None if summary.get("already_published") else (summary.get("rosters") or {}).get("chain_start")
    publish_anchors(engine, settings, own_rows_after=own)
    for line in summary_lines(summary):  # the night's summary in the log (the DAG's publish task log)
        log.info("%s", line)
    vacuum_changed_tables(engine, analyzed)
    return summary


def refresh_statistics(engine: Engine) -> list[str]:
    """After a night's commit, ANALYZE the tables it changed by more than a tenth (a first night
    loads a province into empty tables). Autovacuum would, within a minute or so; a night, or a
    region partition, planned before that on an empty table's statistics picks nested loops over
    millions of rows (measured: 38 s instead of 1 s for one partition of 30,000 entities). An
    incremental night changes far less than a tenth and costs nothing here. A table the night
    analyzed inside its transaction is analyzed again: that ANALYZE leaves the transaction's rows
    counted as changes, which autovacuum would act on, and reading the committed rows here sets
    their hint bits, which the next night otherwise pays for (measured at 1 M: the next night's
    grading 4.6 s → 2.0 s, its scope 2.1 s → 0.8 s). Skipping them was tried (604cd01, undone in
    d0db8c0) and measured again on the 1 M home (a copy of registration, 35,000 pages, loaded and
    analyzed in one transaction): analyzed again after the commit 3.85 s, then a scan 0.45 s;
    left alone, the first scan 2.07 s (the hint bits move to the first reader) and the table still
    counts its million rows as changed, so autovacuum, or the next night's refresh, analyzes it
    anyway: the work moves, it does not go. The tables are analyzed two at a time, each
    on a connection of its own (1 M: 13 tables, 3 s). Returns the tables it found changed by a
    tenth, for :func:`vacuum_changed_tables`, whether or not their ANALYZE succeeded. Never raises:
    the night is committed; a table whose ANALYZE fails is logged, the others are still analyzed,
    and autovacuum catches up."""
    def analyze(name: str) -> None:
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(sqlfiles.text_of("storage/analyze_table").format(table=name))
                conn.commit()
        except sa.exc.DBAPIError as e:
            log.warning("statistics of %s not refreshed after the night (autovacuum will): %s", name, e.orig)

    try:
        with engine.connect() as conn:
            names = [str(n) for n in conn.execute(sqlfiles.statement("night/stale_statistics")).scalars()]
    except sa.exc.DBAPIError as e:
        log.warning("statistics not refreshed after the night (autovacuum will): %s", e.orig)
        return []
    with ThreadPoolExecutor(2, thread_name_prefix="analyze") as pool:
        list(pool.map(analyze, names))
    return names


def vacuum_changed_tables(engine: Engine, names: list[str]) -> None:
    """VACUUM the tables :func:`refresh_statistics` analyzed (changed by more than a tenth: a first
    night's province), last of all, once the night's page and anchors are out. A row the night
    wrote carries no hint that its transaction committed and its page is not marked all-visible,
    so the first reader of every page after the night checks the commit log, dirties the page and,
    on a server with data checksums (the default from PostgreSQL 18), writes the whole page to the
    write-ahead log; an index-only scan visits the table for every row until a VACUUM has set the
    visibility map. ANALYZE reads at most 30,000 pages of a table: at 1 M nearly all of them, at
    10 M under a tenth. So at 10 M the next night paid for the first: its scope's index-only scans
    of ``registration`` read the heap, and autovacuum, woken by the millions of new rows, vacuumed
    the same tables beside it (measured, 2026-12-03, 10 M, three autovacuum workers in
    ``registration``, its history and ``annual_reports`` during the second night, 4.4 GB of
    write-ahead log; the scope 184.65 s against 6.28 s the night after, the night 0.30 of the first).
    The work is the first night's and is done in it, two tables at a time, each on a connection of
    its own in autocommit (VACUUM cannot run in a transaction). Never raises: the night is
    committed; a table whose VACUUM fails is logged, the others are still vacuumed, and autovacuum
    catches up."""
    def vacuum(name: str) -> bool:
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(sqlfiles.text_of("storage/vacuum_table").format(table=name))
        except sa.exc.DBAPIError as e:
            log.warning("%s not vacuumed after the night (autovacuum will): %s", name, e.orig)
            return False
        return True

    if not names:
        return
    started = time.perf_counter()
    with ThreadPoolExecutor(2, thread_name_prefix="vacuum") as pool:
        done = sum(pool.map(vacuum, names))
    log.info("vacuumed %d of %d tables the night changed by more than a tenth in %.1f s", done, len(names),
             time.perf_counter() - started)


def ensure_report(settings: Settings, night: date) -> None:
    """Write a published night's page again if it is missing (the run that published it died after
    the commit, before the page): the page comes from what was committed, so it is the same page."""
    if not page_path(settings.reports_dir, night).is_file():
        write_night_report(engine_for(settings), settings, night)


def _publish(engine: Engine, manifest: Manifest, outcomes: list[FileOutcome], settings: Settings,
             started_at: datetime, gap_allowed: bool, full: bool = False,
             plan: list[PartitionSpec] | None = None, accept_shrink: Collection[str] = (),
             skip_nights: Collection[date] = ()) -> NightSummary:
    """The night's one transaction: store, quarantine, rosters, grading, notices, the night's record."""
    night = manifest.night
    stages: dict[str, float] = {}
    with engine.begin() as conn:
        # Durable: a night reported published survives a power cut, whatever the server's default.
        conn.exec_driver_sql(sqlfiles.text_of("night/publish_durable"))
        conn.exec_driver_sql(sqlfiles.rendered("night/publish_lock", lock=PUBLISH_LOCK))
        conn.exec_driver_sql(sqlfiles.text_of("night/publish_stats_flush"))   # for refresh_statistics
        # Again under the lock: a concurrent run may have published this night or a later one meanwhile.
        issues = sequence_issues(conn, manifest, settings, allow_gap=gap_allowed, skip_nights=skip_nights)
        if issues:
            raise NightRefused(night, issues)
        done = conn.execute(sqlfiles.statement("night/stored_summary"), {"n": night}).scalar()
        if done is not None:  # published meanwhile by a concurrent run of the same drop: nothing to do
            return cast(NightSummary, dict(done, already_published=True))
        shrinks = shrink_issues(conn, outcomes, settings, accept_shrink)
        issues = [i for i in shrinks if i.level == "refusal"] + _staging_issues(conn, manifest, outcomes)
        if plan is not None:
            issues += partitions.partition_issues(conn, manifest, plan, config_version(settings))
        if issues:
            raise NightRefused(night, issues)
        parts = partitions.staged_summaries(conn, manifest, plan) if plan is not None else []
        fault_point("publish:begin")
        t = time.perf_counter()
        # Rows older than the store's (M5): held back before the merge, counted as quarantined, and
        # counted by the quality gate's ceiling (refused here, rolled back, when they pass it).
        outcomes = ingest.hold_stale_night(conn, manifest, outcomes, settings.ingest_chunk_rows,
                                           settings.ingest_max_record_lines, load_config("quality", settings),
                                           settings.ingest_max_record_bytes)
        merges = []
        # Registration first, so that facts of new entities meet their entity in the same night.
        for o in sorted(outcomes, key=lambda o: list(SOURCES).index(o.source)):
            key, source = staging_key(manifest, o.file), SOURCES[o.source]
            merges.append(staging.merge_file(conn, source, o.mode, key, absent=o.absent).as_dict())
            staging.publish_quarantine(conn, key)
            staging.publish_quality(conn, key)   # the quality view's results (credit.night.quality_results)
            conn.execute(sqlfiles.statement("night/record_file_load"),
                {"night": night, "file": o.file, "source": o.source, "mode": o.mode, "sha": o.sha256,
                 "rows": o.rows_in, "acc": o.accepted, "q": o.quarantined})
        stages["store"] = time.perf_counter() - t
        fault_point("publish:store")
        # -- issue 11: the entities tonight works on (every one, or what changed; credit.night.scope)
        t = time.perf_counter()
        scope = night_scope.for_night(conn, night, settings, merges=merges, full=full,
                                      config_version=config_version(settings))
        stages["scope"] = time.perf_counter() - t
        ctx = NightContext(night, manifest.digest, settings, scope=scope)
        # Rosters first: tonight's grades must see tonight's roster decisions.
        t = time.perf_counter()
        if plan is None:
            rosters = decide_night(conn, ctx)
        else:   # the partitions' staged decisions, numbered and chained here in the night's order
            rosters = with_warnings(partitions.apply_rosters(conn, ctx, manifest, plan),
                                    [w for p in parts for w in p.get("roster_warnings", [])])
        stages["rosters"] = time.perf_counter() - t
        fault_point("publish:rosters")
        t = time.perf_counter()
        regraded = 0
        if plan is None:
            graded = grade_night(conn, ctx)
        else:
            warnings = list(dict.fromkeys(w for p in parts for w in p["warnings"]))
            graded, regraded = partitions.apply_grades(conn, ctx, manifest, plan, warnings)
        grading: GradingPart = {**graded, "report": str(page_path(settings.reports_dir, night))}
        stages["grading"] = time.perf_counter() - t
        t = time.perf_counter()
        notices = produce_notices(conn, ctx)   # 双告知: tonight's registrations to licensing departments
        stages["notices"] = time.perf_counter() - t
        summary: NightSummary = {
            "night": night.isoformat(), "manifest_digest": manifest.digest,
            "manifest_content": manifest.content_digest,
            "config_version": config_version(settings), "gap_allowed": gap_allowed,
            "files": [o.as_dict() for o in outcomes], "merges": merges, "rosters": rosters, "grading": grading,
            "notices": notices, "scope": scope.as_dict(),
            "stages": {**{f"ingest {o.file}": round(o.seconds, 3) for o in outcomes},
                       **{f"partition {p['partition'] + 1}": p["seconds"] for p in parts},
                       **{k: round(v, 3) for k, v in stages.items()}},
        }
        if accepted_shrinks := [i.as_dict() for i in shrinks if i.code == "full_snapshot_shrink_accepted"]:
            summary["shrink_accepted"] = accepted_shrinks   # the clerk's --accept-shrink, as the night used it
        if skip_nights:   # delivered nights the officer confirmed cannot be published (--skip-night)
            summary["skipped_delivered"] = sorted({d.isoformat() for d in skip_nights})
        if small_shrinks := [i.as_dict() for i in shrinks if i.code == "full_snapshot_shrink_small"]:
            summary["shrink_small"] = small_shrinks         # a small source's shrink, published and noted
        if manifest.unlisted:   # not read, named so that the operator learns of them (contracts.md §1)
            summary["unlisted"] = {"count": len(manifest.unlisted), "files": list(manifest.unlisted[:UNLISTED_SHOWN])}
        if plan is not None:
            summary["partitions"] = {"plan": plan[0]["plan"], "count": len(plan), "digits": plan[0]["digits"],
                                     "decisions": sum(p["decisions"] for p in parts),
                                     "graded": sum(p["graded"] for p in parts), "regraded": regraded}
        conn.execute(sqlfiles.statement("night/record_night"),
            {"night": night, "digest": manifest.digest, "cfg": summary["config_version"],
             "started": started_at, "summary": _json(summary)})
        fault_point("publish:inside")
    fault_point("publish:after")
    return summary


def _staging_issues(conn: sa.Connection, manifest: Manifest, outcomes: list[FileOutcome]) -> list[Issue]:
    """Outcomes that are not this drop's (``staging_mismatch``), and files of the drop whose outcome
    or rows are not staged whole for this drop (``staging_missing``: a run that never ingested them,
    or a server crash, which empties the UNLOGGED staging). The staging of the drop's files is held
    (shared lock) until the night commits, so a re-run of ingest cannot replace it meanwhile."""
    issues: list[Issue] = []
    listed = {f.file: f.sha256 for f in manifest.files}
    for f in manifest.files:
        staging.lock_file(conn, staging_key(manifest, f.file), shared=True)
    staged = staging.staged_files(conn, manifest.night, manifest.digest)
    given = {o.file for o in outcomes}
    for o in outcomes:
        s = staged.get(o.file)
        if listed.get(o.file) != o.sha256:
            issues.append(refused(o.file, "staging_mismatch", sha256=o.sha256[:12]))
        elif s is None or (s.sha256, s.accepted, s.quarantined) != (o.sha256, o.accepted, o.quarantined):
            issues.append(refused(o.file, "staging_missing", digest=manifest.digest[:12]))
    issues += [refused(f, "staging_missing", digest=manifest.digest[:12]) for f in listed if f not in given]
    return issues


def plan_night(manifest: Manifest, settings: Settings, max_partitions: int | None = None) -> list[PartitionSpec]:
    """The night's region partitions (``config/partitions.yaml``; ``max_partitions`` overrides its cap)."""
    return partitions.plan_partitions(engine_for(settings), manifest, settings, max_partitions)


def run_partition(manifest: Manifest, spec: PartitionSpec, settings: Settings,
                  accept_shrink: Collection[str] = ()) -> PartitionSummary | None:
    """Compute one region partition's results and stage them (:mod:`credit.night.partitions`): the
    rehearsal in one transaction, the staged rows in a second one, committed last (all or nothing);
    None when the night is published already (nothing to do).

    Runs after every file of the drop is ingested (``staging_missing`` otherwise) and refuses a
    night the gate refuses; a re-run replaces what the partition staged before.
    """
    t0 = time.perf_counter()
    outcomes = staged_outcomes(manifest, settings)
    failures = gate(outcomes, settings, accept_shrink)
    if failures:
        raise NightRefused(manifest.night, failures)
    engine = engine_for(settings)
    with engine.begin() as conn:
        partitions.lock_partition(conn, staging_key(manifest, ""), spec)
        done = conn.execute(sqlfiles.statement("night/published_digest"), {"n": manifest.night}).scalar()
        if done is not None:
            return None
        issues = _staging_issues(conn, manifest, outcomes)
        if issues:
            raise NightRefused(manifest.night, issues)
        # The staging connection (its own transaction: the rehearsal's SAVEPOINT is rolled back)
        # takes no lock; ``conn`` holds the partition's lock until ``out`` has committed.
        with engine.connect() as out, out.begin():
            rehearsal = partitions.rehearse(conn, manifest, outcomes, spec, settings, out)
            fault_point("partition:staged")   # rolled back, staged, not committed: nothing of it stays
            return partitions.stage(out, manifest, spec, rehearsal, time.perf_counter() - t0,
                                    config_version(settings))


def _json(summary: NightSummary) -> str:
    return json.dumps(summary, ensure_ascii=False, default=str)


# --------------------------------------------------------------------------------------------
def run_night(drop: Path, night: date, settings: Settings, progress: Callable[[str], object] | None = None, *,
              allow_gap: bool = False, full: bool = False, max_partitions: int | None = None,
              accept_shrink: Collection[str] = (), skip_nights: Collection[date] = ()) -> NightSummary:
    """The whole night (``credit nightly``); raises :class:`NightRefused` on refusal.

    ``max_partitions``: computed in (at most that many) region partitions, one after another,
    then published by the same apply code as the DAG's partitioned night (``--partitions N``).
    """
    started_at = datetime.now(UTC)
    opened = open_night(drop, night, settings, allow_gap=allow_gap, skip_nights=skip_nights)
    if opened.summary is not None:
        # What a run killed after its commit left undone: the page, the staging, the signed anchor.
        ensure_report(settings, night)
        staging.clear_published(engine_for(settings), night)
        publish_anchors(engine_for(settings), settings)
        return {**opened.summary, "already_published": True}
    ingest_files(opened.manifest, settings, progress)
    fault_point("ingest:after")
    plan = None
    if max_partitions is not None:
        plan = plan_night(opened.manifest, settings, max_partitions)
        for spec in plan:
            if progress:
                progress(f"partition {spec['index'] + 1}/{spec['count']}")
            run_partition(opened.manifest, spec, settings, accept_shrink)
    # The outcomes and rows come back from the staging, as in the DAG, where publish runs elsewhere.
    return publish_night(opened.manifest, None, settings, started_at=started_at, gap_allowed=allow_gap,
                         full=full, plan=plan, accept_shrink=accept_shrink, skip_nights=skip_nights)
