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
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.contract.sources import Column, Source
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


class FileStager:
    """One file's staging written chunk by chunk inside one transaction (issue 11, :mod:`credit.night.ingest`).

    :meth:`open` takes the file's lock and removes what an earlier run staged; :meth:`rows` and
    :meth:`held` add one chunk's accepted and held-back rows; :meth:`duplicates` finds the keys
    staged more than once over the whole file; :meth:`finish` stages the outcome. Rolled back
    together: a file is staged whole or not at all.
    """

    EXTRA = (Column("_line", "text"), Column("_dup_key", "text"), Column("_dup_row", "text"))

    def __init__(self, conn: Connection, key: StagingKey, source: Source) -> None:
        self.conn, self.key, self.source = conn, key, source
        self.tmp = f"_staging_{source.name}"
        self.created = False

    def open(self) -> None:
        lock_file(self.conn, self.key)
        self.conn.execute(sqlfiles.statement("night/staging_clear_file"), self.key.params())

    def rows(self, accepted: pd.DataFrame, lines: np.ndarray) -> int:
        """Stage one chunk's accepted rows (canonical text, as :func:`stage_file`), with their lines,
        their key as text and a hash of the whole row (what :meth:`duplicates` compares)."""
        if not len(accepted):
            return 0
        conn, source = self.conn, self.source
        if not self.created:
            conn.exec_driver_sql(f"create temporary table {self.tmp} (like {source.name} including defaults) "
                                 f"on commit drop")
            conn.exec_driver_sql(f"alter table {self.tmp} alter column first_night drop not null, "
                                 f"alter column last_night drop not null, add column _line bigint, "
                                 f"add column _dup_key text, add column _dup_row bigint")
            self.created = True
        else:
            conn.exec_driver_sql(f"truncate {self.tmp}")
        frame = accepted.assign(_line=np.asarray(lines, dtype=np.int64).astype(str),
                                _dup_key=key_text(accepted, source),
                                _dup_row=row_hash(accepted, source).astype(str))
        copy_frame(conn, self.tmp, frame, replace(source, columns=source.columns + self.EXTRA))
        conn.execute(sa.text(
            f"insert into night_staging_rows (night, digest, file, row, line, dup_key, dup_row) "
            f"select :night, :digest, :file, jsonb_strip_nulls(to_jsonb(s) - 'first_night' - 'last_night' "
            f"- '_line' - '_dup_key' - '_dup_row'), s._line, s._dup_key, s._dup_row from {self.tmp} s"),
            self.key.params())
        return len(accepted)

    def held(self, held: pd.DataFrame) -> int:
        """Stage one chunk's held-back rows (:func:`credit.night.quarantine.held_rows`'s frame)."""
        if len(held):
            quarantine.copy_held(self.conn, self.key.night, self.key.file, self.source.name,
                                 pa.Table.from_pandas(held, preserve_index=False), digest=self.key.digest)
        return len(held)

    def duplicates(self) -> dict[int, tuple[str, str]]:
        """The keys staged more than once over the whole file, removed from its accepted rows: by
        line, the rule and reason each held-back row gets (``credit.night.quality``'s duplicate rules)."""
        out: dict[int, tuple[str, str]] = {}
        conflicting = quarantine.reason("conflicting_duplicate_key", key="+".join(self.source.key))
        for line, conflict, first_line in self.conn.execute(sqlfiles.statement("night/staging_duplicates"),
                                                            self.key.params()):
            out[int(line)] = (("conflicting_duplicate_key", conflicting) if conflict else
                              ("duplicate_row", quarantine.reason("duplicate_row", first_line=int(first_line))))
        return out

    def finish(self, outcome: FileOutcome, expectations: list[ExpectationRecord] | None) -> None:
        self.conn.execute(sqlfiles.statement("night/staging_outcome"),
                          {**self.key.params(), "source": self.source.name, "sha256": outcome.sha256,
                           "outcome": json.dumps(outcome.as_dict(), ensure_ascii=False, default=str)})
        if expectations:
            self.conn.execute(sqlfiles.statement("night/staging_expectations"),
                              {**self.key.params(), "expectations": json.dumps(expectations, ensure_ascii=False)})


def key_text(frame: pd.DataFrame, source: Source) -> pd.Series:
    """Each row's key as canonical text, the key's columns joined by U+001F (U+001E: unknown)."""
    parts = [frame[k].astype("string").fillna("\x1e") for k in source.key]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.str.cat(part, sep="\x1f")
    return joined


def row_hash(frame: pd.DataFrame, source: Source) -> np.ndarray:
    """A 64-bit hash of each whole canonical row (pandas' hash of the source's columns)."""
    hashed = pd.util.hash_pandas_object(frame[source.column_names], index=False)
    return np.asarray(hashed.to_numpy(dtype=np.uint64)).view(np.int64)


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

