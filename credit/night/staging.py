"""The night's staging (issue 12): what one ingest task hands to publish, kept in PostgreSQL.

Nothing passes between the night's tasks on a worker's local disk, so ingest and publish may run
on different hosts. Each ingested file leaves, keyed by (night, manifest digest, file), its
outcome (``night_staging_files``), its accepted rows (``night_staging_<source>``, one table per
source, :func:`staging_table`) and its held-back rows (``night_staging_quarantine``), all written
in one transaction: a file is staged whole or not at all, and staging it again replaces it (an
advisory lock per key orders two runs of the same file). Keyed by the digest, two runs of one
night from different drops never read each other's rows. Publishing reads a drop's staging inside
its transaction; after the commit the night's staging and that of every earlier night is deleted
(:func:`clear_published`).

The accepted rows are staged **typed** (migration 0027, issue 11): a chunk's canonical text is
COPYed straight into its source's staging table, whose columns are the source's store columns
(PostgreSQL parses the types there, in the ingest task) plus the key and the row's physical
``line``; publish reads them as they are into the merge
(:func:`fill_stage`; an empty store table, a first night's, is loaded straight from the staging
table, :func:`staged_rows`). Until then they were staged as JSON (``night_staging_rows``):
turning each row into JSON at ingest and back at publish cost about a quarter of a first night's
ingest of the two largest files and of its store stage (200,000 entities; docs/storage.md).

The tables are UNLOGGED: a crash of the server empties them, and the publishing transaction then
refuses the night (``staging_missing``) until ingest runs again.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.contract.sources import SOURCES, Column, Source
from credit.night import duplicates as dups
from credit.night import quarantine
from credit.night.merge import MergeResult, copy_frame, merge_into
from credit.night.quality_results import ExpectationRecord
from credit.night.records import FileOutcome, FileRecord

STAGING_LOCK = 7262833  # the class of the per-file advisory locks (two-key form: apart from the bigint locks)
# The columns of a staging table besides the source's own (migrations 0027, 0031), in COPY's text form.
STAGED = (Column("night", "date"), Column("digest", "text"), Column("file", "text"), Column("line", "int"))


def staging_table(source: Source) -> str:
    """The table one source's accepted rows are staged in, typed (migration 0027)."""
    if not source.name.isidentifier():
        raise ValueError(f"not a source's name: {source.name!r}")
    return f"night_staging_{source.name}"


@cache
def _rows_statement(name: str, table: str) -> sa.TextClause:
    """``credit/sql/<name>.sql`` on one source's staging table (its ``{rows}``)."""
    return sa.text(sqlfiles.text_of(name).format(rows=table))


def _rows_sql(name: str, source: Source) -> sa.TextClause:
    return _rows_statement(name, staging_table(source))


@cache
def _key_statement(name: str, table: str, key: tuple[str, ...]) -> sa.TextClause:
    """``credit/sql/<name>.sql`` on one source's staging table and key: its ``{rows}`` and ``{key}``
    (the key's columns)."""
    if not key or not all(c.isidentifier() for c in key):
        raise ValueError(f"not a source's key: {key!r}")
    return sa.text(sqlfiles.text_of(name).format(
        rows=table, key=", ".join(key)))


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
    conn.execute(sqlfiles.statement("night/staging_lock_file_shared" if shared else "night/staging_lock_file"),
                 {"cls": STAGING_LOCK, "k": f"{key.night.isoformat()}/{key.digest}/{key.file}"})


def stage_file(engine: Engine, key: StagingKey, source: Source, outcome: FileOutcome,
               accepted: pd.DataFrame | None, held: pd.DataFrame | None,
               expectations: list[ExpectationRecord] | None = None) -> None:
    """Stage one ingested file whole, replacing whatever an earlier run of it staged.

    ``accepted`` is canonical text (:func:`credit.night.normalise.normalise`): COPY parses it into
    the source's column types here, in the ingest task, straight into the source's staging table
    (without lines: :class:`FileStager` stages a file chunk by chunk with them). ``held`` is :func:`credit.night.quarantine.held_rows`'s frame. A file
    refused before its rows were read stages its outcome only. ``expectations`` are the file's
    Great Expectations results (:mod:`credit.night.quality_results`), published with the night.
    """
    with engine.begin() as conn:
        lock_file(conn, key)
        conn.execute(_rows_sql("night/staging_clear_file", source), key.params())
        if accepted is not None and len(accepted):
            copy_rows(conn, key, source, accepted, None)
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
    :meth:`held` add one chunk's accepted and held-back rows; :meth:`candidates` and
    :meth:`duplicates` find the keys staged more than once over the whole file
    (:mod:`credit.night.duplicates`); :meth:`finish` stages the outcome. Rolled back together: a
    file is staged whole or not at all.
    """

    def __init__(self, conn: Connection, key: StagingKey, source: Source) -> None:
        self.conn, self.key, self.source = conn, key, source
        self._candidates = False

    def open(self) -> None:
        lock_file(self.conn, self.key)
        self.conn.execute(_rows_sql("night/staging_clear_file", self.source), self.key.params())

    def rows(self, accepted: pd.DataFrame, lines: np.ndarray) -> int:
        """Stage one chunk's accepted rows (canonical text, as :func:`stage_file`), with their lines."""
        if not len(accepted):
            return 0
        return copy_rows(self.conn, self.key, self.source, accepted, lines)

    def held(self, held: pd.DataFrame) -> int:
        """Stage one chunk's held-back rows (:func:`credit.night.quarantine.held_rows`'s frame)."""
        if len(held):
            quarantine.copy_held(self.conn, self.key.night, self.key.file, self.source.name,
                                 pa.Table.from_pandas(held, preserve_index=False), digest=self.key.digest)
        return len(held)

    def candidates(self, canonical: pd.DataFrame, lines: np.ndarray, chunk: int,
                   organisation_mismatch: np.ndarray) -> int:
        """Stage some of one chunk's accepted rows (canonical text) as candidate duplicates, for
        :meth:`duplicates`: their lines, the chunk, their key as text, a hash of the whole row and
        whether their USCC fails the organisation-code check; how many."""
        if not self._candidates:
            self.conn.execute(sqlfiles.statement("night/staging_candidates"))
            self._candidates = True
        table = pa.table({   # in the order of night/staging_candidates_copy.sql
            "line": pa.array(np.asarray(lines, dtype=np.int64)),
            "chunk": pa.array(np.full(len(canonical), chunk, dtype=np.int64)),
            "dup_key": dups.key_text(canonical, self.source),
            "dup_row": pa.array(dups.row_hash(canonical, self.source)),
            "organisation_mismatch": pa.array(np.asarray(organisation_mismatch, dtype=bool)),
        })
        buf = io.BytesIO()
        pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False))
        raw = self.conn.connection.driver_connection
        assert raw is not None  # a live connection inside the file's transaction
        with raw.cursor() as cur, cur.copy(sqlfiles.text_of("night/staging_candidates_copy")) as cp:
            cp.write(buf.getbuffer())
        return table.num_rows

    def candidate_lines(self) -> np.ndarray:
        """The lines of the staged rows whose key is staged more than once over the file, ascending
        (``night/staging_key_candidates``): the candidate duplicates, by PostgreSQL's count of
        the keys, not the client's (issue 11: nothing kept per row, at any N)."""
        lines = self.conn.execute(_key_statement("night/staging_key_candidates", staging_table(self.source),
                                                         tuple(self.source.key)), self.key.params())
        return np.fromiter((line for (line,) in lines), dtype=np.int64)

    def duplicates(self) -> dict[int, dups.Duplicate]:
        """The keys staged more than once over the whole file, among the :meth:`candidates`, removed
        from its accepted rows: by line, what each held-back row gets (the rule and reason of
        ``credit.night.quality``'s duplicate rules)."""
        out: dict[int, dups.Duplicate] = {}
        if not self._candidates:
            return out
        conflicting = quarantine.reason("conflicting_duplicate_key", key="+".join(self.source.key))
        for line, conflict, first_line, chunk, org in self.conn.execute(sqlfiles.statement("night/staging_duplicates")):
            rule, reason = (("conflicting_duplicate_key", conflicting) if conflict else
                            ("duplicate_row", quarantine.reason("duplicate_row", first_line=int(first_line))))
            out[int(line)] = dups.Duplicate(rule, reason, int(chunk), bool(org))
        if out:
            # The held lines a constant of the plan, hashed (night/staging_duplicates_drop.sql), even
            # when the connection has run the statement often enough for a generic plan.
            self.conn.exec_driver_sql("set local plan_cache_mode = force_custom_plan")
            dropped = self.conn.execute(_rows_sql("night/staging_duplicates_drop", self.source),
                                        {**self.key.params(), "lines": list(out)}).rowcount
            if dropped != len(out):
                raise RuntimeError(f"{self.key.file}: {len(out)} duplicates held back, {dropped} staged rows removed")
        return out

    def finish(self, outcome: FileOutcome, expectations: list[ExpectationRecord] | None) -> None:
        self.conn.execute(sqlfiles.statement("night/staging_outcome"),
                          {**self.key.params(), "source": self.source.name, "sha256": outcome.sha256,
                           "outcome": json.dumps(outcome.as_dict(), ensure_ascii=False, default=str)})
        if expectations:
            self.conn.execute(sqlfiles.statement("night/staging_expectations"),
                              {**self.key.params(), "expectations": json.dumps(expectations, ensure_ascii=False)})


def copy_rows(conn: Connection, key: StagingKey, source: Source, accepted: pd.DataFrame,
              lines: np.ndarray | None) -> int:
    """COPY accepted rows (canonical text) into the source's staging table, typed by PostgreSQL on
    the way in, with the staging key and their ``lines`` (None: unknown); how many."""
    frame = accepted.assign(night=key.night.isoformat(), digest=key.digest, file=key.file,
                            line=None if lines is None else np.asarray(lines, dtype=np.int64).astype(str))
    return copy_frame(conn, staging_table(source), frame, replace(source, columns=source.columns + STAGED))


def staged_files(conn: Connection, night: date, digest: str, *, counted: bool = True) -> dict[str, StagedFile]:
    """The files staged for one night and drop, by file name, with the rows actually staged for each
    (the accepted ones counted in their source's staging table; ``counted`` False: not counted,
    ``accepted`` 0 — for the outcomes alone, a count of 1 M staged rows costing about 0.4 s)."""
    rows = conn.execute(sqlfiles.statement("night/staging_outcomes"), {"night": night, "digest": digest}).mappings().all()
    out: dict[str, StagedFile] = {}
    for r in rows:
        record: FileRecord = r["outcome"]
        source = SOURCES.get(r["source"])
        accepted = 0 if source is None or not counted else int(conn.execute(
            _rows_sql("night/staging_count", source), {"night": night, "digest": digest, "file": r["file"]}).scalar_one())
        out[r["file"]] = StagedFile(FileOutcome.from_dict(record), r["sha256"], accepted, int(r["staged_quarantined"]))
    return out


@dataclass(frozen=True)
class RowScope:
    """A region partition's rows (:mod:`credit.night.partitions`): ``rows`` is a condition on the
    staged row ``r`` (a row of the source's staging table, ``:name`` parameters), ``store`` the
    same on the store's row ``t`` (``%(name)s`` parameters), ``stored`` the same on ``t`` with
    ``:name`` parameters, all with ``params``."""

    rows: str
    store: str
    params: dict[str, object]
    stored: str | None = None


@cache
def _condition(name: str) -> str:
    """``credit/sql/<name>.sql``, a condition to be formatted into a statement: without its comment lines."""
    return "\n".join(line for line in sqlfiles.text_of(name).splitlines() if not line.lstrip().startswith("--"))


def _rows_of(source: Source, scope: RowScope) -> str:
    """The staged rows of ``scope``'s region: those naming one of its entities, and, for a source
    whose key does not hold the USCC (a finding, a penalty: contracts.md §1), those replacing a
    stored row that names one. A row re-delivered with another entity's USCC (a correction) changes
    the entity it named before as well: its partition sees the correction too (the finding no
    longer counts for it, its listing on the finding is revoked: credit.rosters.decide)."""
    if scope.stored is None or "uscc" in source.key:
        return scope.rows
    return _condition("night/staging_scope_rows").format(
        scoped=scope.rows, store=source.name, key=" and ".join(f"t.{k} = r.{k}" for k in source.key),
        stored=scope.stored)


def fill_stage(conn: Connection, stage: str, source: Source, key: StagingKey, scope: RowScope | None = None) -> int:
    """Copy one file's staged accepted rows, as they were staged (typed), into the merge's stage
    table; their count (only the rows of ``scope``, when given)."""
    return conn.execute(sa.text(sqlfiles.text_of("night/staging_fill_stage").format(
        stage=stage, columns=", ".join(source.column_names),
        selected=", ".join(f"r.{c}" for c in source.column_names), rows=staging_table(source),
        scope=f" and ({_rows_of(source, scope)})" if scope is not None else "")),
        {**key.params(), **(scope.params if scope is not None else {})}).rowcount


def staged_rows(source: Source, key: StagingKey) -> tuple[str, dict[str, object]]:
    """One file's staged accepted rows as a query on its source's staging table (``%(name)s``
    parameters, and the parameters): what an empty store table is loaded from directly."""
    return (sqlfiles.text_of("night/staging_file_rows").format(columns=", ".join(source.column_names),
                                                                rows=staging_table(source)),
            {"staged_night": key.night, "staged_digest": key.digest, "staged_file": key.file})


def merge_file(conn: Connection, source: Source, mode: str, key: StagingKey, scope: RowScope | None = None,
               absent: Sequence[str] = ()) -> MergeResult:
    """Merge one file's staged accepted rows into the store (:func:`credit.night.merge.merge_into`);
    with ``scope``, one region partition's rows only (and a ``full`` file drops only that region's).
    An empty store table (a first night) is loaded straight from the staging table. ``absent``:
    the optional columns the file does not carry, whose stored values its rows keep."""
    return merge_into(conn, source, mode, key.night, lambda stage: fill_stage(conn, stage, source, key, scope),
                      None if scope is None else (scope.store, scope.params),
                      rows=staged_rows(source, key) if scope is None else None, held=dict(key.params()),
                      keep=absent)


@cache
def _stale_statement(source: Source) -> sa.TextClause:
    """``night/staging_stale.sql`` on one source's staging table, store table, key and stamp."""
    if source.version is None or not all(c.isidentifier() for c in (source.name, source.version, *source.key)):
        raise ValueError(f"not a stamped source: {source.name!r}")
    return sa.text(sqlfiles.text_of("night/staging_stale").format(
        rows=staging_table(source), store=source.name, version=source.version,
        key=" and ".join(f"t.{k} = r.{k}" for k in source.key)))


def take_stale(conn: Connection, source: Source, key: StagingKey) -> dict[int, tuple[str | None, str]]:
    """Remove from one file's staged accepted rows those older than the store's row of their key,
    or without a stamp where the stored row has one (``night/staging_stale.sql``; outsider's report
    M5); by line, their stamp (None: empty) and the stored one.
    Inside the publishing transaction, so the store compared with is the one the rows merge into.
    A source without a stamp (:attr:`Source.version`) has none."""
    if source.version is None:
        return {}
    stale = {int(line): (None if delivered is None else str(delivered), str(stored))
             for line, delivered, stored in conn.execute(_stale_statement(source), key.params())}
    if stale:
        conn.exec_driver_sql("set local plan_cache_mode = force_custom_plan")   # as for duplicates
        dropped = conn.execute(_rows_sql("night/staging_duplicates_drop", source),
                               {**key.params(), "lines": list(stale)}).rowcount
        if dropped != len(stale):
            raise RuntimeError(f"{key.file}: {len(stale)} stale rows held back, {dropped} staged rows removed")
    return stale


def publish_quarantine(conn: Connection, key: StagingKey) -> int:
    """Move one file's staged held-back rows into ``quarantine`` (inside the night's transaction)."""
    return conn.execute(sqlfiles.statement("night/staging_publish_quarantine"), key.params()).rowcount


def publish_quality(conn: Connection, key: StagingKey) -> int:
    """Move one file's staged quality results into ``quality_results`` (inside the night's transaction)."""
    return conn.execute(sqlfiles.statement("night/staging_publish_quality"), key.params()).rowcount


def clear_published(engine: Engine, night: date) -> list[str]:
    """After a night is published: remove its staging (every drop's) and every earlier night's, in
    one transaction. A source's staging table that holds no later night's rows, and that nothing
    else holds for more than 2 s (``night/staging_lock_briefly.sql``: autovacuum, drawn by a first
    night's load, gives way; an ingest of another drop under way keeps it as it is), is truncated: its
    pages back at once, and no delete of a first night's millions of rows (1 M: about 2 s) before
    it. Any other is cleared by a delete (``night/staging_clear_rows.sql``), then truncated in a
    transaction of its own if that left it empty and nothing holds it
    (``night/staging_lock_briefly.sql``, then ``night/staging_truncate_empty.sql``). The owner and
    ``credit_writer`` (the nights' role in production; migration 0049) may truncate; a role that may
    not clears every table by the delete, and autovacuum returns the space: a night never fails for
    a clean-up after its publication. Returns the sources' staging tables now empty on disk."""
    truncated, deleted = [], []
    with engine.begin() as conn:
        may_truncate = {source.name: bool(conn.execute(sqlfiles.statement("night/staging_may_truncate"),
                                                       {"t": staging_table(source)}).scalar())
                        for source in SOURCES.values()}
        for source in SOURCES.values():
            if may_truncate[source.name] and _truncate_if_only_published(conn, source, night):
                truncated.append(staging_table(source))
            else:
                conn.execute(_rows_sql("night/staging_clear_rows", source), {"night": night})
                deleted.append(source)
        conn.execute(sqlfiles.statement("night/staging_clear_nights"), {"night": night})
    for source in deleted:
        if not may_truncate[source.name]:
            continue
        try:
            with engine.begin() as conn:
                conn.execute(_rows_sql("night/staging_lock_briefly", source))
                conn.execute(_rows_sql("night/staging_truncate_empty", source))
                emptied = conn.execute(sqlfiles.statement("night/staging_emptied"),
                                       {"t": staging_table(source)}).scalar()
        except sa.exc.OperationalError as e:
            if isinstance(e.orig, psycopg.errors.LockNotAvailable):
                continue   # an ingest of another drop holds it: its rows stay, a later night truncates
            raise
        if emptied:
            truncated.append(staging_table(source))
    return truncated


def _truncate_if_only_published(conn: Connection, source: Source, night: date) -> bool:
    """Truncate ``source``'s staging table inside the caller's transaction when, under an exclusive
    lock waited for briefly, it holds no row of a night after ``night``; whether it did."""
    try:
        with conn.begin_nested():
            conn.execute(_rows_sql("night/staging_lock_briefly", source))
            if conn.execute(_rows_sql("night/staging_later_rows", source), {"night": night}).scalar():
                return False   # a later night's rows stay; the lock is kept until the delete commits
            conn.execute(_rows_sql("night/staging_truncate", source))
            return True
    except sa.exc.OperationalError as e:
        if isinstance(e.orig, psycopg.errors.LockNotAvailable):
            return False
        raise

