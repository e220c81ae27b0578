"""One night, end to end: check the drop, ingest every file, pass the gate, publish (write-audit-publish).

The steps are plain functions, and both ``credit nightly`` (:func:`run_night`) and the Airflow DAG
``credit_nightly`` (one task per step) call exactly these:

1. :func:`open_night` — read and check the manifest; refuse a night out of order; spot a night
   that is already published (re-running it changes nothing).
2. :func:`ingest_file` — one file: parse, normalise, validate (GX), split into accepted and
   quarantined rows; written to the night's work folder, nothing in the database yet.
3. :func:`publish_night` — :func:`gate` (file-level failures and quarantine shares: any failure
   refuses the night), then one transaction: store merge, quarantine, rosters, grading, the
   双告知 notices to licensing departments, the night's record. A failure anywhere rolls everything back: yesterday's state stays as it was.
   The nightly report is written after the commit, from what was committed.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.config import config_versions, load_config
from credit.context import NightContext
from credit.contract.manifest import DropError, Manifest, read_manifest, read_table
from credit.contract.sources import SOURCES
from credit.db import engine_for
from credit.grading.night import grade_night
from credit.grading.report import page_path, write_night_report
from credit.issues import Issue
from credit.night import merge, quality, quarantine
from credit.night.issues import NightRefused, refused, warned
from credit.night.records import FileOutcome, GradingPart, NightSummary
from credit.notices.night import produce_notices
from credit.rosters.anchors import publish_anchors
from credit.rosters.decide import decide_night
from credit.settings import Settings

PUBLISH_LOCK = 7262832  # one night is published at a time, whatever starts them


@dataclass(frozen=True)
class NightOpened:
    """A night whose manifest checked out: still to publish, or published already (with its summary)."""

    manifest: Manifest
    summary: NightSummary | None = None

    @property
    def already_published(self) -> bool:
        return self.summary is not None


def config_version(settings: Settings) -> str:
    """Every configuration file in force, for the night's record."""
    return config_versions(sorted(p.stem for p in Path(settings.config_dir).glob("*.yaml")), settings)


def work_folder(settings: Settings, night: date) -> Path:
    return settings.work_dir / night.isoformat()


# --------------------------------------------------------------------------------------------
def manifest_of(drop: Path, night: date) -> Manifest:
    """The night's checked manifest; a drop that disagrees with it refuses the night."""
    try:
        return read_manifest(drop, night)
    except DropError as e:
        raise NightRefused(night, [e.issue]) from e


def open_night(drop: Path, night: date, settings: Settings, *, allow_gap: bool = False) -> NightOpened:
    """Check the manifest and the night's place in the sequence (nothing is written).

    Nights are published one calendar day after another: a delta builds on the night before, so
    a skipped night would lose its changes for good. ``allow_gap`` records an officer's word that
    the platform delivered nothing for the missing nights.
    """
    manifest = manifest_of(drop, night)
    with engine_for(settings).connect() as conn:
        done = conn.execute(sa.text("select manifest_digest, summary from night_runs where night = :n"),
                            {"n": night}).one_or_none()
        latest = conn.execute(sa.text("select max(night) from night_runs")).scalar()
    if done is not None:
        if done[0] != manifest.digest:
            raise NightRefused(night, [refused("manifest.json", "night_already_published", night=night,
                                               published=done[0][:12], digest=manifest.digest[:12])])
        return NightOpened(manifest, cast(NightSummary, done[1]))
    if latest is not None and night < latest:
        raise NightRefused(night, [refused("manifest.json", "night_out_of_order", night=night, latest=latest)])
    if latest is not None and (night - latest).days > 1 and not allow_gap:
        raise NightRefused(night, [refused("manifest.json", "night_gap", missing=latest + timedelta(days=1))])
    return NightOpened(manifest)


def ingest_file(manifest: Manifest, file: str, settings: Settings) -> FileOutcome:
    """Parse, normalise and validate one file; write accepted and quarantined rows to the work folder."""
    t0 = time.perf_counter()
    df = manifest.file(file)
    out = FileOutcome(file, df.source.name, df.mode, df.sha256, df.rows)
    try:
        table = read_table(df)
    except DropError as e:
        out.failures.append(e.issue)
        out.seconds = time.perf_counter() - t0
        return out
    canonical = quality.normalise(table, df.source)
    if table.num_rows == 0 and df.mode == "full":
        out.warnings.append(warned(file, "empty_full_snapshot"))
    checked = quality.check(canonical, df.source, manifest.night,
                            settings.expectations_dir / f"{df.source.name}.json", file)
    out.failures += checked.file_failures
    out.warnings += checked.warnings
    out.expectations = checked.suite_results
    bad = (checked.reasons != "").to_numpy()
    folder = work_folder(settings, manifest.night)
    folder.mkdir(parents=True, exist_ok=True)
    raw = table.to_pandas(types_mapper=quality.arrow_strings)
    held = quarantine.held_rows(raw, bad, checked.rules, checked.reasons)
    _write_atomically(pa.Table.from_pandas(canonical[~bad], preserve_index=False),
                      folder / f"{df.source.name}.accepted.parquet")
    _write_atomically(pa.Table.from_pandas(held, preserve_index=False),
                      folder / f"{df.source.name}.quarantine.parquet")
    out.accepted, out.quarantined = int((~bad).sum()), int(bad.sum())
    if out.accepted + out.quarantined != out.rows_in:  # the invariant of the whole pipeline
        out.failures.append(refused(file, "rows_add_up", rows_in=out.rows_in, accepted=out.accepted,
                                    quarantined=out.quarantined))
    out.seconds = time.perf_counter() - t0
    return out


def _write_atomically(table: pa.Table, path: Path) -> None:
    """Write then rename: a concurrent run of the same night never reads a half-written file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def gate(outcomes: list[FileOutcome], settings: Settings) -> list[Issue]:
    """File-level verdicts; returns the failures (empty: the night may publish)."""
    cfg = load_config("quality", settings)
    failures: list[Issue] = []
    with engine_for(settings).connect() as conn:
        for o in outcomes:
            failures += o.failures
            if o.failures or o.rows_in == 0:
                continue
            ceiling = float((cfg.get("per_source_ceiling") or {}).get(o.source, cfg["quarantine_ceiling"]))
            share = o.quarantined / o.rows_in
            if share > ceiling and o.rows_in >= int(cfg.get("ceiling_min_rows", 0)):
                failures.append(refused(o.file, "quarantine_ceiling", share=share, ceiling=ceiling))
            if o.mode == "full":
                current = merge.current_rows(conn, SOURCES[o.source])
                min_share = float(cfg["full_snapshot_min_share"])
                if current and o.accepted < min_share * current:
                    failures.append(refused(o.file, "full_snapshot_shrink", accepted=o.accepted, current=current,
                                            min_share=min_share))
    return failures


def publish_night(manifest: Manifest, outcomes: list[FileOutcome], settings: Settings, *,
                  started_at: datetime | None = None, gap_allowed: bool = False) -> NightSummary:
    """Gate, publish in one transaction, then write the nightly report from what was committed.

    Raises :class:`NightRefused` when the gate fails. Returns the night's summary; a night
    published meanwhile by a concurrent run returns that run's summary, marked ``already_published``.
    """
    failures = gate(outcomes, settings)
    if failures:
        raise NightRefused(manifest.night, failures)
    engine = engine_for(settings)
    summary = _publish(engine, manifest, outcomes, settings, started_at or datetime.now(UTC), gap_allowed)
    if not summary.get("already_published"):
        write_night_report(engine, settings, manifest.night)   # at the path the night's record names
    publish_anchors(engine, settings)   # the chain head, signed, outside the database (credit.rosters.anchors)
    return summary


def _publish(engine: Engine, manifest: Manifest, outcomes: list[FileOutcome], settings: Settings,
             started_at: datetime, gap_allowed: bool) -> NightSummary:
    """The night's one transaction: store, quarantine, rosters, grading, notices, the night's record."""
    night = manifest.night
    folder = work_folder(settings, night)
    stages: dict[str, float] = {}
    with engine.begin() as conn:
        conn.exec_driver_sql(f"select pg_advisory_xact_lock({PUBLISH_LOCK})")
        done = conn.execute(sa.text("select summary from night_runs where night = :n"), {"n": night}).scalar()
        if done is not None:  # published meanwhile by a concurrent run: nothing to do
            return cast(NightSummary, dict(done, already_published=True))
        t = time.perf_counter()
        merges = []
        # Registration first, so that facts of new entities meet their entity in the same night.
        for o in sorted(outcomes, key=lambda o: list(SOURCES).index(o.source)):
            accepted = pq.read_table(folder / f"{o.source}.accepted.parquet").to_pandas(
                types_mapper=quality.arrow_strings)
            merges.append(merge.merge(conn, SOURCES[o.source], accepted, o.mode, night).as_dict())
            held = pq.read_table(folder / f"{o.source}.quarantine.parquet")
            if held.num_rows:
                quarantine.copy_held(conn, night, o.file, o.source, held)
            conn.execute(sa.text(
                "insert into file_loads values (:night, :file, :source, :mode, :sha, :rows, :acc, :q)"),
                {"night": night, "file": o.file, "source": o.source, "mode": o.mode, "sha": o.sha256,
                 "rows": o.rows_in, "acc": o.accepted, "q": o.quarantined})
        stages["store"] = time.perf_counter() - t
        ctx = NightContext(night, manifest.digest, settings)
        # Rosters first: tonight's grades must see tonight's roster decisions.
        t = time.perf_counter()
        rosters = decide_night(conn, ctx)
        stages["rosters"] = time.perf_counter() - t
        t = time.perf_counter()
        grading: GradingPart = {**grade_night(conn, ctx),
                                "report": str(page_path(settings.reports_dir, night))}
        stages["grading"] = time.perf_counter() - t
        t = time.perf_counter()
        notices = produce_notices(conn, ctx)   # 双告知: tonight's registrations to licensing departments
        stages["notices"] = time.perf_counter() - t
        summary: NightSummary = {
            "night": night.isoformat(), "manifest_digest": manifest.digest,
            "config_version": config_version(settings), "gap_allowed": gap_allowed,
            "files": [o.as_dict() for o in outcomes], "merges": merges, "rosters": rosters, "grading": grading,
            "notices": notices,
            "stages": {**{f"ingest {o.file}": round(o.seconds, 3) for o in outcomes},
                       **{k: round(v, 3) for k, v in stages.items()}},
        }
        conn.execute(sa.text(
            "insert into night_runs values (:night, :digest, :cfg, :started, now(), cast(:summary as jsonb))"),
            {"night": night, "digest": manifest.digest, "cfg": summary["config_version"],
             "started": started_at, "summary": _json(summary)})
    return summary


def _json(summary: NightSummary) -> str:
    return json.dumps(summary, ensure_ascii=False, default=str)


# --------------------------------------------------------------------------------------------
def run_night(drop: Path, night: date, settings: Settings, progress: Callable[[str], object] | None = None, *,
              allow_gap: bool = False) -> NightSummary:
    """The whole night (``credit nightly``); raises :class:`NightRefused` on refusal."""
    started_at = datetime.now(UTC)
    opened = open_night(drop, night, settings, allow_gap=allow_gap)
    if opened.summary is not None:
        return {**opened.summary, "already_published": True}
    outcomes = []
    for f in opened.manifest.files:
        if progress:
            progress(f.file)
        outcomes.append(ingest_file(opened.manifest, f.file, settings))
    return publish_night(opened.manifest, outcomes, settings, started_at=started_at, gap_allowed=allow_gap)
