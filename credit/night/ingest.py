"""Ingesting one drop file in chunks (issue 11: a night's memory follows the chunk, not the province).

A file is read, normalised, checked and staged one chunk of rows at a time
(``Settings.ingest_chunk_rows``), in one transaction (:class:`credit.night.staging.FileStager`):

1. each chunk is read with its rows' true physical lines (:func:`credit.contract.manifest.iter_records`),
   normalised, checked by the row rules — the Great Expectations suite's row expectations and the
   rules GX cannot state over one row (:func:`credit.night.quality.check_rows`) — and its accepted
   and held-back rows are COPYed into the night's staging;
2. what judges the whole file is judged over the whole file: the suite's results are added up
   over the chunks exactly (:class:`credit.night.quality.SuiteTally`: the same counts,
   percentages and verdicts as one run over the file, so the published quality results and a
   critical expectation's refusal are the same), and duplicated keys are found over the whole
   file (a key may straddle two chunks): candidates by a hash of each accepted row's key, kept
   while the chunks are staged (past 3 M rows, by PostgreSQL's count of the staged keys), then
   decided in PostgreSQL, reading again only the chunks that hold candidates, and quarantined as
   delivered (:mod:`credit.night.duplicates`).

A refusal of the file (an encoding error, a row count that disagrees, ...) rolls the chunks back
and stages the outcome alone, as before. Every read of the file hashes the bytes it takes and
refuses them (``sha256_mismatch``) when they are not the manifest's, after its last chunk; the
outcome's ``sha256`` (``file_loads.sha256`` once published) is the hash of what the first, whole
read took, so the publishing step's check against the manifest (``staging_mismatch``) compares
the manifest with the file as ingested, not with itself (hostile review D1).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from credit.config import ConfigDoc
from credit.contract.manifest import DropError, DropFile, Manifest, ReadDigest, iter_records
from credit.contract.records import MAX_RECORD_BYTES
from credit.issues import Issue
from credit.night import duplicates, quality, quarantine, staging
from credit.night.issues import NightRefused, refused, warned
from credit.night.normalise import empty_frame, normalise
from credit.night.quality_results import ExpectationRecord
from credit.night.records import FileOutcome


def ingest(engine: Engine, key: staging.StagingKey, df: DropFile, night: date, suite: Path, *,
           chunk_rows: int, max_record_lines: int, earliest: date | None,
           max_record_bytes: int = MAX_RECORD_BYTES) -> FileOutcome:
    """Ingest and stage one file in chunks of ``chunk_rows`` records of at most ``max_record_lines``
    physical lines (``Settings.ingest_max_record_lines``) of at most ``max_record_bytes`` bytes
    (``Settings.ingest_max_record_bytes``); its outcome (staged too)."""
    t0 = time.perf_counter()
    out = FileOutcome(df.file, df.source.name, df.mode, df.sha256, df.rows)
    try:
        with engine.begin() as conn:
            stager = staging.FileStager(conn, key, df.source)
            expectations = _ingest(stager, df, night, suite, chunk_rows, (max_record_lines, max_record_bytes),
                                   earliest, out)
            out.seconds = time.perf_counter() - t0
            stager.finish(out, expectations)
    except DropError as e:
        out = FileOutcome(df.file, df.source.name, df.mode, df.sha256, df.rows)
        out.failures.append(e.issue)
        out.seconds = time.perf_counter() - t0
        staging.stage_file(engine, key, df.source, out, None, None)
    return out


def _ingest(stager: staging.FileStager, df: DropFile, night: date, suite: Path, chunk_rows: int,
            bounds: tuple[int, int], earliest: date | None, out: FileOutcome) -> list[ExpectationRecord]:
    """Stage the file's chunks and fill ``out``; returns every expectation's record (the quality view).
    Every read of the file takes the same ``chunk_rows`` and ``bounds`` (a record's lines and bytes:
    the same records)."""
    max_record_lines, max_record_bytes = bounds
    source, file = df.source, df.file
    stager.open()
    tally = quality.SuiteTally(file)
    keys = duplicates.KeyHashes(source)
    chunks = duplicates.ChunkLines()
    rows = accepted = held = org_bad = 0
    read = ReadDigest()
    for records in iter_records(df, chunk_rows, read=read, max_record_lines=max_record_lines,
                                max_record_bytes=max_record_bytes):
        rows += records.rows
        out.absent = list(records.absent)
        table = records.table
        n = table.num_rows
        if n:
            canonical = normalise(table, source)
            checked = quality.check_rows(canonical, source, night, suite, earliest=earliest,
                                         delivered=table)
            tally.add(checked)
            reasons, rules = checked.found.joined()
            bad = (reasons != "").to_numpy()
            org_bad += quality.organisation_mismatches(canonical, ~bad)
            good = canonical[~bad]
            accepted += stager.rows(good, records.lines[~bad])
            keys.add(good, records.lines[~bad])
            chunks.add(records.chunk, records.lines)
            held += stager.held(quarantine.held_rows(table, bad, rules, reasons, lines=records.lines))
            del canonical, checked, reasons, rules, good
        if records.malformed:
            held += stager.held(quarantine.malformed_rows(records.malformed))
    out.sha256 = read.sha256   # the bytes staged (iter_records refused them if not the manifest's)
    candidates = chunks.split(stager.candidate_lines() if keys.overflowed else keys.candidates())
    del keys
    if candidates:
        found, found_org_bad = _hold_duplicates(stager, df, chunk_rows, bounds, candidates)
        org_bad -= found_org_bad
        accepted -= found
        held += found
    if rows == 0 and df.mode == "full":
        out.warnings.append(warned(file, "empty_full_snapshot"))
    failures, summary, expectations = tally.verdict()
    if not tally.chunks:
        # No row reached the suite: its expectations are recorded over zero rows (the quality view).
        expectations = tally.unjudged(quality.check_rows(empty_frame(source), source, night, suite,
                                                         earliest=earliest))
    out.failures += failures
    if org_bad:
        # domain.md §1: pos. 17 is not proven on every real code; log, never reject.
        out.warnings.append(warned(file, "organisation_code", count=org_bad))
    out.expectations = summary
    out.accepted, out.quarantined = accepted, held
    if out.accepted + out.quarantined != out.rows_in:  # the invariant of the whole pipeline
        out.failures.append(refused(file, "rows_add_up", rows_in=out.rows_in, accepted=out.accepted,
                                    quarantined=out.quarantined))
    return expectations


def hold_stale_night(conn: Connection, manifest: Manifest, outcomes: Sequence[FileOutcome], chunk_rows: int,
                     max_record_lines: int, cfg: ConfigDoc, max_record_bytes: int = MAX_RECORD_BYTES,
                     ) -> list[FileOutcome]:
    """Hold back every file's stale rows (:func:`hold_stale`) and judge again the quality gate's
    quarantined share (``cfg``: ``quality.yaml``, :func:`credit.night.quality.over_ceiling`) of each
    file that had some, now that they count: a file whose rows are mostly stale is refused as the
    gate refuses a file of mostly bad rows (:class:`NightRefused`, ``quarantine_ceiling``, every such
    file named), and the caller's transaction, rolled back, leaves the store and the staging as they
    were (a re-run refuses the same way; a ceiling configured for the source, as for the gate, lets
    it publish). Returns copies of the outcomes with the stale rows moved from accepted to
    quarantined. Inside the publishing transaction (and a partition's rehearsal, which merges too)."""
    moved: list[FileOutcome] = []
    over: list[Issue] = []
    for o in outcomes:
        key = staging.StagingKey(manifest.night, manifest.digest, o.file)
        stale = hold_stale(conn, key, manifest.file(o.file), chunk_rows, max_record_lines, max_record_bytes)
        o = replace(o, accepted=o.accepted - stale, quarantined=o.quarantined + stale)
        if stale and (issue := quality.over_ceiling(o.file, o.source, o.rows_in, o.quarantined, cfg,
                                                    stale=stale)) is not None:
            over.append(issue)
        moved.append(o)
    if over:
        raise NightRefused(manifest.night, over)
    return moved


def hold_stale(conn: Connection, key: staging.StagingKey, df: DropFile, chunk_rows: int, max_record_lines: int,
               max_record_bytes: int = MAX_RECORD_BYTES) -> int:
    """Hold back the file's staged accepted rows that are older than the store's row of their key
    (:func:`credit.night.staging.take_stale`; outsider's report M5): quarantined as delivered, at
    their true line, under ``stale_update``, in the file's staged held-back rows (so that a ``full``
    file does not drop the entity they stand for either). A row without a stamp where the stored
    row has one is held back too, under ``unstamped_update``: contracts.md §1 lets a cell be empty
    ("empty means unknown"), so whether it is newer than the stored row is unknown, and a row that
    is not unambiguous is quarantined, never merged over the known state (nor over its stamp, which
    checks the key's later re-deliveries). Run inside the publishing transaction,
    before the file is merged: whether a row is stale depends on the store it meets, which only
    publishing knows (an ingest may run before the night before it publishes). The file is read
    again only when it has such rows, for their lines alone. Returns how many were held back; the
    caller moves them from the file's accepted rows to its quarantined ones. ``chunk_rows`` and
    ``max_record_lines`` and ``max_record_bytes`` are the ingest's: the file is read again as it was
    read then."""
    stale = staging.take_stale(conn, df.source, key)
    if not stale:
        return 0
    column = df.source.version
    found = {line: ("stale_update", quarantine.reason("stale_update", column=column, delivered=delivered,
                                                     stored=stored)) if delivered is not None else
             ("unstamped_update", quarantine.reason("unstamped_update", column=column, stored=stored))
             for line, (delivered, stored) in stale.items()}
    wanted = np.fromiter(found, dtype=np.int64, count=len(found))
    held = 0
    try:
        for records in iter_records(df, chunk_rows, max_record_lines=max_record_lines,
                                    max_record_bytes=max_record_bytes):
            mask = np.isin(records.lines, wanted)
            if mask.any():
                rules = pd.Series([found[int(n)][0] if m else "" for n, m in zip(records.lines, mask, strict=True)])
                reasons = pd.Series([found[int(n)][1] if m else "" for n, m in zip(records.lines, mask, strict=True)])
                rows = quarantine.held_rows(records.table, mask, rules, reasons, lines=records.lines)
                quarantine.copy_held(conn, key.night, key.file, df.source.name,
                                     pa.Table.from_pandas(rows, preserve_index=False), digest=key.digest)
                held += len(rows)
    except DropError as e:   # the file changed since it was ingested: refused, nothing published
        raise NightRefused(key.night, [e.issue]) from e
    if held != len(stale):
        raise RuntimeError(f"{key.file}: {len(stale)} stale rows, {held} found again in the file")
    return held


def _hold_duplicates(stager: staging.FileStager, df: DropFile, chunk_rows: int, bounds: tuple[int, int],
                     candidates: dict[int, np.ndarray]) -> tuple[int, int]:
    """Decide the candidate duplicates (by chunk, their lines) and quarantine the
    rows held back as delivered, reading again only the chunks that hold them
    (:mod:`credit.night.duplicates`); returns how many were held back and how many of them failed
    the organisation-code check (they were counted as accepted)."""
    max_record_lines, max_record_bytes = bounds
    keep = sum(len(at) for at in candidates.values()) <= chunk_rows   # the candidates' raw rows: one chunk at most
    kept: list[tuple[pa.Table, np.ndarray]] = []
    for records in iter_records(df, chunk_rows, only=candidates,   # the candidates' rows alone
                                max_record_lines=max_record_lines, max_record_bytes=max_record_bytes):
        at = np.flatnonzero(np.isin(records.lines, candidates[records.chunk]))
        raw, lines = records.table.take(at), records.lines[at]
        canonical = normalise(raw, df.source)
        stager.candidates(canonical, lines, records.chunk, quality.organisation_mismatch(canonical))
        if keep:
            kept.append((raw, lines))
    found = stager.duplicates()
    if not found:
        return 0, 0
    wanted = np.fromiter(found, dtype=np.int64, count=len(found))
    in_chunk = np.fromiter((d.chunk for d in found.values()), dtype=np.int64, count=len(found))
    held_at = {int(c): wanted[in_chunk == c] for c in np.unique(in_chunk)}   # read again: those rows alone
    chunks = kept if keep else ((r.table, r.lines) for r in iter_records(df, chunk_rows, only=held_at,
                                                                         max_record_lines=max_record_lines,
                                                                         max_record_bytes=max_record_bytes))
    for table, lines in chunks:
        mask = np.isin(lines, wanted)
        if not mask.any():
            continue
        rules = pd.Series([found[int(n)].rule if m else "" for n, m in zip(lines, mask, strict=True)])
        reasons = pd.Series([found[int(n)].reason if m else "" for n, m in zip(lines, mask, strict=True)])
        stager.held(quarantine.held_rows(table, mask, rules, reasons, lines=lines))
    return len(found), sum(d.organisation_mismatch for d in found.values())
