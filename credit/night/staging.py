"""The night's staging (issue 12): what one ingest task hands to publish, kept in PostgreSQL.

Nothing passes between the night's tasks on a worker's local disk, so ingest and publish may run
on different hosts. Each ingested file leaves, keyed by (night, manifest digest, file), its
outcome (``night_staging_files``), its accepted rows (``night_staging_rows``) and its held-back
rows (``night_staging_quarantine``), all written in one transaction: a file is staged whole or
not at all, and staging it again replaces it (an advisory lock per key orders two runs of the same
file). Keyed by the digest, two runs of one night from different drops never read each other's
rows. Publishing reads a drop's staging inside its transaction; after the commit the night's
staging and that of every earlier night is deleted (:func:`clear_published`).

The tables are UNLOGGED: a crash of the server empties them, and the publishing transaction then
refuses the night (``staging_missing``) until ingest runs again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.contract.sources import Source
from credit.night import quarantine
from credit.night.merge import MergeResult, copy_frame, merge_into
from credit.night.quality_results import ExpectationRecord
from credit.night.records import FileOutcome, FileRecord

STAGING_LOCK = 7262833  # the class of the per-file advisory locks (two-key form: apart from the bigint locks)


@dataclass(frozen=True)
class StagingKey:
    """Which staging one file's rows wait in: the night, the manifest's digest, the file."""

    night: date
    digest: str
    file: str

    def params(self) -> dict[str, object]:
        return {"night": self.night, "digest": self.digest, "file": self.file}


@dataclass(frozen=True)
class StagedFile:
    """One file's staged outcome and the rows actually staged for it (checked against each other)."""

    outcome: FileOutcome
    sha256: str
    accepted: int
    quarantined: int


def lock_file(conn: Connection, key: StagingKey, *, shared: bool = False) -> None:
    """Hold the file's staging lock to the end of the transaction: exclusive to stage it, shared to publish it."""
    fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    conn.execute(sa.text(f"select {fn}(:cls, hashtext(:k))"),
                 {"cls": STAGING_LOCK, "k": f"{key.night.isoformat()}/{key.digest}/{key.file}"})


def stage_file(engine: Engine, key: StagingKey, source: Source, outcome: FileOutcome,
               accepted: pd.DataFrame | None, held: pd.DataFrame | None,
               expectations: list[ExpectationRecord] | None = None) -> None:
    """Stage one ingested file whole, replacing whatever an earlier run of it staged.

    ``accepted`` is canonical text (:func:`credit.night.quality.normalise`): COPY parses it into
    the source's column types here, in the ingest task, and the rows are kept as the JSON of a row
    of the source's table. ``held`` is :func:`credit.night.quarantine.held_rows`'s frame. A file
    refused before its rows were read stages its outcome only. ``expectations`` are the file's
    Great Expectations results (:mod:`credit.night.quality_results`), published with the night.
    """
    with engine.begin() as conn:
        lock_file(conn, key)
        conn.execute(sqlfiles.statement("night/staging_clear_file"), key.params())
        if accepted is not None and len(accepted):
            tmp = f"_staging_{source.name}"
            conn.exec_driver_sql(f"create temporary table {tmp} (like {source.name} including defaults) "
                                 f"on commit drop")
            conn.exec_driver_sql(f"alter table {tmp} alter column first_night drop not null, "
                                 f"alter column last_night drop not null")
            copy_frame(conn, tmp, accepted, source)
            conn.execute(sa.text(
                f"insert into night_staging_rows (night, digest, file, row) "
                f"select :night, :digest, :file, jsonb_strip_nulls(to_jsonb(s) - 'first_night' - 'last_night') "
                f"from {tmp} s"), key.params())
        if held is not None and len(held):
            quarantine.copy_held(conn, key.night, key.file, source.name,
                                 pa.Table.from_pandas(held, preserve_index=False), digest=key.digest)
        conn.execute(sqlfiles.statement("night/staging_outcome"),
                     {**key.params(), "source": source.name, "sha256": outcome.sha256,
                      "outcome": json.dumps(outcome.as_dict(), ensure_ascii=False, default=str)})
        if expectations:
            conn.execute(sqlfiles.statement("night/staging_expectations"),
                         {**key.params(), "expectations": json.dumps(expectations, ensure_ascii=False)})


def staged_files(conn: Connection, night: date, digest: str) -> dict[str, StagedFile]:
    """The files staged for one night and drop, by file name."""
    rows = conn.execute(sqlfiles.statement("night/staging_outcomes"), {"night": night, "digest": digest}).mappings()
    out: dict[str, StagedFile] = {}
    for r in rows:
        record: FileRecord = r["outcome"]
        out[r["file"]] = StagedFile(FileOutcome.from_dict(record), r["sha256"],
                                    int(r["staged_accepted"]), int(r["staged_quarantined"]))
    return out


@dataclass(frozen=True)
class RowScope:
    """A region partition's rows (:mod:`credit.night.partitions`): ``rows`` is a condition on the
    staged row ``r`` (``:name`` parameters), ``store`` the same on the store's row ``t``
    (``%(name)s`` parameters), both with ``params``."""

    rows: str
    store: str
    params: dict[str, object]


def fill_stage(conn: Connection, stage: str, source: Source, key: StagingKey, scope: RowScope | None = None) -> int:
    """Copy one file's staged accepted rows, typed again, into the merge's stage table; their count
    (only the rows of ``scope``, when given)."""
    cols = ", ".join(f"r.{c}" for c in source.column_names)
    where = f" and ({scope.rows})" if scope is not None else ""
    return conn.execute(sa.text(
        f"insert into {stage} ({', '.join(source.column_names)}) select {cols} "
        f"from night_staging_rows n cross join lateral jsonb_populate_record(null::{source.name}, n.row) r "
        f"where n.night = :night and n.digest = :digest and n.file = :file{where}"),
        {**key.params(), **(scope.params if scope is not None else {})}).rowcount


def merge_file(conn: Connection, source: Source, mode: str, key: StagingKey, scope: RowScope | None = None) -> MergeResult:
    """Merge one file's staged accepted rows into the store (:func:`credit.night.merge.merge_into`);
    with ``scope``, one region partition's rows only (and a ``full`` file drops only that region's)."""
    return merge_into(conn, source, mode, key.night, lambda stage: fill_stage(conn, stage, source, key, scope),
                      None if scope is None else (scope.store, scope.params))


def publish_quarantine(conn: Connection, key: StagingKey) -> int:
    """Move one file's staged held-back rows into ``quarantine`` (inside the night's transaction)."""
    return conn.execute(sqlfiles.statement("night/staging_publish_quarantine"), key.params()).rowcount


def publish_quality(conn: Connection, key: StagingKey) -> int:
    """Move one file's staged quality results into ``quality_results`` (inside the night's transaction)."""
    return conn.execute(sqlfiles.statement("night/staging_publish_quality"), key.params()).rowcount


def clear_published(engine: Engine, night: date) -> None:
    """After a night is published: delete its staging (every drop's) and every earlier night's."""
    with engine.begin() as conn:
        conn.execute(sqlfiles.statement("night/staging_clear_nights"), {"night": night})

