"""One night, end to end: check the drop, ingest every file, pass the gate, publish (write-audit-publish).

The steps are plain functions so that ``credit nightly`` and the Airflow DAG run the same code:

1. :func:`open_night` — read and check the manifest; refuse a night out of order; spot a night
   that is already published (re-running it changes nothing).
2. :func:`ingest_file` — one file: parse, normalise, validate (GX), split into accepted and
   quarantined rows; written to the night's work folder, nothing in the database yet.
3. :func:`gate` — file-level failures and quarantine shares; any failure refuses the night.
4. :func:`publish` — one transaction: store merge, quarantine, rosters, grading, the night's
   record. A failure anywhere rolls everything back: yesterday's state stays as it was.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import schema
from credit.config import load_config
from credit.context import NightContext
from credit.contract.sources import SOURCES, DropError, Manifest, read_manifest, read_table
from credit.db import get_engine
from credit.grading import night as grading
from credit.night import merge as entities
from credit.night import quality
from credit.rosters import decide as rosters
from credit.settings import Settings

PUBLISH_LOCK = 7262832  # one night is published at a time, whatever starts them


class NightRefused(Exception):
    """The night stops before publishing (exit 2); the reason names the file and the rule."""

    def __init__(self, night: date, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.night, self.reasons = night, reasons


@dataclass
class FileOutcome:
    file: str
    source: str
    mode: str
    sha256: str
    rows_in: int
    accepted: int
    quarantined: int
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    expectations: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class NightOpened:
    manifest: Manifest
    already_published: bool
    summary: dict[str, Any] | None = None


def engine_for(settings: Settings) -> Engine:
    engine = get_engine(settings)
    schema.ensure_current(engine, auto=settings.database_url is None)
    return engine


def config_version(settings: Settings) -> str:
    names = sorted(p.stem for p in Path(settings.config_dir).glob("*.yaml"))
    return ";".join(load_config(n, settings).version for n in names)


def work_folder(settings: Settings, night: date) -> Path:
    return settings.work_dir / night.isoformat()


# --------------------------------------------------------------------------------------------
def open_night(drop: Path, night: date, settings: Settings, *, allow_gap: bool = False) -> NightOpened:
    """Check the manifest and the night's place in the sequence (nothing is written).

    Nights are published one calendar day after another: a delta builds on the night before, so
    a skipped night would lose its changes for good. ``allow_gap`` records an officer's word that
    the platform delivered nothing for the missing nights.
    """
    try:
        manifest = read_manifest(drop, night)
    except DropError as e:
        raise NightRefused(night, [str(e)]) from e
    engine = engine_for(settings)
    with engine.connect() as conn:
        done = conn.execute(sa.text("select manifest_digest, summary from night_runs where night = :n"),
                            {"n": night}).one_or_none()
        latest = conn.execute(sa.text("select max(night) from night_runs")).scalar()
    if done is not None:
        if done[0] != manifest.digest:
            raise NightRefused(night, [
                f"manifest.json: 批次 {night} 已于此前发布，但本次清单与已发布的不同 "
                f"(night already published from another drop: {done[0][:12]} ≠ {manifest.digest[:12]}) "
                "[night_already_published]"])
        return NightOpened(manifest, True, done[1])
    if latest is not None and night < latest:
        raise NightRefused(night, [
            f"manifest.json: 批次 {night} 早于已发布的最新批次 {latest}，增量不能倒序加载 "
            "(nights are published in order) [night_out_of_order]"])
    if latest is not None and (night - latest).days > 1 and not allow_gap:
        raise NightRefused(night, [
            f"manifest.json: 上一批次 {latest + timedelta(days=1)} 尚未发布；跳过它会永久丢失其中的变更 "
            f"(night {latest + timedelta(days=1)} is not published yet; run it first, or confirm with "
            "--allow-gap that the platform delivered nothing for the missing nights) [night_gap]"])
    return NightOpened(manifest, False)


def ingest_file(manifest: Manifest, file: str, settings: Settings) -> FileOutcome:
    """Parse, normalise and validate one file; write accepted and quarantined rows to the work folder."""
    t0 = time.perf_counter()
    df = next(f for f in manifest.files if f.file == file)
    out = FileOutcome(file, df.source.name, df.mode, df.sha256, df.rows, 0, 0)
    try:
        table = read_table(df)
    except DropError as e:
        out.failures.append(str(e))
        out.seconds = time.perf_counter() - t0
        return out
    canonical = quality.normalise(table, df.source)
    if table.num_rows == 0 and df.mode == "full":
        out.warnings.append("全量文件为空 (a full snapshot with no rows)")
    checked = quality.check(canonical, df.source, manifest.night,
                            settings.expectations_dir / f"{df.source.name}.json")
    out.failures += [f"{file}: {f} [critical_expectation]" for f in checked.file_failures]
    out.warnings += checked.warnings
    out.expectations = checked.suite_results
    bad = (checked.reasons != "").to_numpy()
    folder = work_folder(settings, manifest.night)
    folder.mkdir(parents=True, exist_ok=True)
    accepted = canonical[~bad]
    raw = table.to_pandas(types_mapper=lambda t: quality.ARROW_STRING)
    quarantined = pd.DataFrame({
        "line": (canonical.index[bad] + quality.ROW_OFFSET).astype("int64"),
        "rule": checked.rules[bad].astype(str).to_numpy(),
        "reason": checked.reasons[bad].astype(str).to_numpy(),
        "raw": [json.dumps(r, ensure_ascii=False) for r in
                raw[bad].astype(object).where(raw[bad].notna(), None).to_dict(orient="records")],
    })
    _write_atomically(pa.Table.from_pandas(accepted, preserve_index=False),
                      folder / f"{df.source.name}.accepted.parquet")
    _write_atomically(pa.Table.from_pandas(quarantined, preserve_index=False),
                      folder / f"{df.source.name}.quarantine.parquet")
    out.accepted, out.quarantined = int((~bad).sum()), int(bad.sum())
    if out.accepted + out.quarantined != out.rows_in:  # the invariant of the whole pipeline
        out.failures.append(f"{file}: 行数不守恒 {out.rows_in} ≠ {out.accepted} + {out.quarantined} [rows_add_up]")
    out.seconds = time.perf_counter() - t0
    return out


def _write_atomically(table: pa.Table, path: Path) -> None:
    """Write then rename: a concurrent run of the same night never reads a half-written file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def gate(manifest: Manifest, outcomes: list[FileOutcome], settings: Settings) -> list[str]:
    """File-level verdicts; returns the failures (empty: the night may publish)."""
    cfg = load_config("quality", settings)
    failures: list[str] = []
    engine = engine_for(settings)
    with engine.connect() as conn:
        for o in outcomes:
            failures += o.failures
            if o.failures or o.rows_in == 0:
                continue
            ceiling = float((cfg.get("per_source_ceiling") or {}).get(o.source, cfg["quarantine_ceiling"]))
            share = o.quarantined / o.rows_in
            if share > ceiling and o.rows_in >= int(cfg.get("ceiling_min_rows", 0)):
                failures.append(f"{o.file}: 隔离比例 {share:.1%} 超过上限 {ceiling:.0%} "
                                f"(quarantined share above the ceiling) [quarantine_ceiling]")
            if o.mode == "full":
                current = entities.current_rows(conn, SOURCES[o.source])
                floor = float(cfg["full_snapshot_min_share"]) * current
                if current and o.accepted < floor:
                    failures.append(f"{o.file}: 全量快照仅 {o.accepted} 行，少于现有 {current} 行的 "
                                    f"{cfg['full_snapshot_min_share']:.0%}，疑似截断 "
                                    "(full snapshot much smaller than current state) [full_snapshot_shrink]")
    return failures


def publish(manifest: Manifest, outcomes: list[FileOutcome], settings: Settings,
            started_at: datetime | None = None, *, gap_allowed: bool = False) -> dict[str, Any]:
    """Publish the night in one transaction; returns its summary (also stored in ``night_runs``)."""
    night = manifest.night
    folder = work_folder(settings, night)
    engine = engine_for(settings)
    started_at = started_at or datetime.now(UTC)
    stages: dict[str, float] = {}
    with engine.begin() as conn:
        conn.exec_driver_sql(f"select pg_advisory_xact_lock({PUBLISH_LOCK})")
        done = conn.execute(sa.text("select summary from night_runs where night = :n"), {"n": night}).scalar()
        if done is not None:  # published meanwhile by a concurrent run: nothing to do
            return dict(done, already_published=True)
        t = time.perf_counter()
        merges = []
        # Registration first, so that facts of new entities meet their entity in the same night.
        order = sorted(outcomes, key=lambda o: list(SOURCES).index(o.source))
        for o in order:
            source = SOURCES[o.source]
            accepted = pq.read_table(folder / f"{o.source}.accepted.parquet").to_pandas(
                types_mapper=lambda t: quality.ARROW_STRING)
            merges.append(entities.merge(conn, source, accepted, o.mode, night).as_dict())
            q = pq.read_table(folder / f"{o.source}.quarantine.parquet")
            if q.num_rows:
                _copy_quarantine(conn, night, o, q)
            conn.execute(sa.text(
                "insert into file_loads values (:night, :file, :source, :mode, :sha, :rows, :acc, :q)"),
                {"night": night, "file": o.file, "source": o.source, "mode": o.mode, "sha": o.sha256,
                 "rows": o.rows_in, "acc": o.accepted, "q": o.quarantined})
        stages["store"] = time.perf_counter() - t
        ctx = NightContext(night, manifest.digest, settings)
        decided: dict[str, Any] = {}
        # Rosters first: tonight's grades must see tonight's roster decisions.
        for area, step in (("rosters", rosters.decide_night), ("grading", grading.grade_night)):
            t = time.perf_counter()
            decided[area] = step(conn, ctx)
            stages[area] = time.perf_counter() - t
        summary = {
            "night": night.isoformat(), "manifest_digest": manifest.digest,
            "config_version": config_version(settings), "gap_allowed": gap_allowed,
            "files": [o.as_dict() for o in outcomes], "merges": merges, **decided,
            "stages": {**{f"ingest {o.file}": round(o.seconds, 3) for o in outcomes},
                       **{k: round(v, 3) for k, v in stages.items()}},
        }
        conn.execute(sa.text(
            "insert into night_runs values (:night, :digest, :cfg, :started, now(), cast(:summary as jsonb))"),
            {"night": night, "digest": manifest.digest, "cfg": summary["config_version"],
             "started": started_at, "summary": json.dumps(summary, ensure_ascii=False, default=str)})
    return summary


def _copy_quarantine(conn: sa.Connection, night: date, o: FileOutcome, q: pa.Table) -> None:
    import io

    import pyarrow.csv as pacsv

    n = q.num_rows
    table = pa.table({
        "night": pa.array([night.isoformat()] * n), "file": pa.array([o.file] * n),
        "line": q.column("line"), "source": pa.array([o.source] * n),
        "rule": q.column("rule"), "reason": q.column("reason"), "raw": q.column("raw"),
    })
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False))
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(
            "copy quarantine (night, file, line, source, rule, reason, raw) from stdin (format csv)") as cp:
        cp.write(buf.getbuffer())


# --------------------------------------------------------------------------------------------
def run_night(drop: Path, night: date, settings: Settings, progress: Any = None, *,
              allow_gap: bool = False) -> dict[str, Any]:
    """The whole night (``credit nightly``); raises :class:`NightRefused` on refusal."""
    started_at = datetime.now(UTC)
    opened = open_night(drop, night, settings, allow_gap=allow_gap)
    if opened.already_published:
        return dict(opened.summary or {}, already_published=True)
    outcomes = []
    for f in opened.manifest.files:
        if progress:
            progress(f.file)
        outcomes.append(ingest_file(opened.manifest, f.file, settings))
    failures = gate(opened.manifest, outcomes, settings)
    if failures:
        raise NightRefused(night, failures)
    return publish(opened.manifest, outcomes, settings, started_at, gap_allowed=allow_gap)
