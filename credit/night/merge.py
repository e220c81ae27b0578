"""The entity store (主体库): each source's current state and, where kept, every change.

Rows arrive typed and accepted; they are copied into a temporary stage (with PostgreSQL COPY, or
from the night's staging tables) and merged with set-based SQL — a changed row updates the current table and leaves a history
row carrying the night; an unchanged row changes nothing, which is what makes a night safe to
load twice. An empty table (a first night) is bulk-loaded: plain inserts, its indexes built after
the load (issue 11; :func:`merge_into`). A ``full`` file replaces the source's state: rows it no longer has are dropped from
the current table, and the drop is kept in the history.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlalchemy import Connection

from credit import bulk, sqlfiles
from credit.contract.sources import Source


class MergeRecord(TypedDict):
    source: str
    staged: int
    new: int
    changed: int
    dropped: int


@dataclass(frozen=True)
class MergeResult:
    """What one file changed in the store."""

    source: str
    staged: int
    new: int
    changed: int
    dropped: int

    def as_dict(self) -> MergeRecord:
        return {"source": self.source, "staged": self.staged, "new": self.new,
                "changed": self.changed, "dropped": self.dropped}


COPY_CHUNK_ROWS = 100_000  # rows per CSV chunk of a COPY (client memory per chunk, not per file)

#: The sources whose history a first night reads back inside its own transaction after loading it,
#: which :func:`_load_empty` therefore analyzes right after the bulk load (issue 11). Tonight's
#: registration_history rows make the 双告知 notices (``sql/notices/produce.sql``). A history never
#: analyzed has no column statistics: the planner took ``night = :night`` for 1 row of 995,919
#: (899,008 real), so the notices statement probed every row's previous registration (2.7 M
#: buffers) before the prefix join instead of only the 199,054 rows that meet a licensed code.
#: Measured on the 1 M first night's database, EXPLAIN ANALYZE in rolled-back transactions with
#: registration_history's statistics deleted or kept, interleaved three times: 3.95-4.42 s
#: without, 1.60-2.01 s with (4.57 s in the night itself); the ANALYZE costs 0.57-0.62 s on
#: rows of the transaction's own. One full 1 M first night each way on a fresh home (same
#: session, load average 1.5-2.9): the statement 3.57 s → 1.31 s, its ANALYZE 0.56 s, the same
#: 2,352 notices. The other histories are left to
#: :func:`credit.night.steps.refresh_statistics` after the commit: five are read on later,
#: incremental nights only (``sql/night/scope_incremental.sql``), and analyzing them in the night
#: would add about 1 s that no statement of it uses (annual reports 0.33-0.36 s, inspections
#: 0.26, bank credit 0.18-0.22, tax 0.15-0.21, findings 0.09); penalties_history (34 k rows,
#: ANALYZE 0.23-0.25 s) is read by the rosters' ``serious_procedures.sql``, under 0.3 s in the
#: night's server log and profile, so its ANALYZE could not pay for itself. A statement that
#: comes to read another history inside a first night adds its source here.
HISTORY_READ_TONIGHT = frozenset({"registration"})


def _pg_array(values: pd.Series) -> pd.Series:
    """';'-separated text → a PostgreSQL array literal, each item quoted."""
    def one(v: object) -> object:
        if not isinstance(v, str):
            return None
        items = [x.replace("\\", "\\\\").replace('"', '\\"') for x in v.split(";") if x]
        return "{" + ",".join(f'"{x}"' for x in items) + "}"
    return values.map(one)


def copy_frame(conn: Connection, table: str, frame: pd.DataFrame, source: Source) -> int:
    """COPY canonical text rows into ``table``; PostgreSQL parses them into the column types.

    Canonical text (credit.night.normalise.normalise) is already ISO dates, plain numbers and
    true/false, so the only conversion left is ';'-lists into array literals.

    The rows go in chunks of :data:`COPY_CHUNK_ROWS` through one COPY: the client holds one chunk's
    Arrow columns and CSV text at a time, not the whole file's (issue 11: bounded memory).
    """
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside the night's transaction
    with raw.cursor() as cur, cur.copy(sqlfiles.text_of("night/merge_copy_stage").format(
            table=table, columns=", ".join(source.column_names))) as cp:
        for start in range(0, len(frame), COPY_CHUNK_ROWS):
            part = frame.iloc[start:start + COPY_CHUNK_ROWS]
            columns = {}
            for c in source.columns:
                s = part[c.name]
                if c.kind == "list":
                    s = _pg_array(s)
                columns[c.name] = pa.array(s.astype("string"), type=pa.string(), from_pandas=True)
            buf = io.BytesIO()
            pacsv.write_csv(pa.table(columns), buf, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
            cp.write(buf.getbuffer())
    return len(frame)


def merge(conn: Connection, source: Source, frame: pd.DataFrame, mode: str, night: date) -> MergeResult:
    """Merge one file's accepted rows (canonical text) into the store; history for every real change."""
    return merge_into(conn, source, mode, night, lambda stage: copy_frame(conn, stage, frame, source))


def merge_into(conn: Connection, source: Source, mode: str, night: date, fill: Callable[[str], int],
               scope: tuple[str, dict[str, object]] | None = None,
               rows: tuple[str, dict[str, object]] | None = None,
               held: dict[str, object] | None = None, keep: Sequence[str] = ()) -> MergeResult:
    """Merge one file's accepted rows into the store; ``fill(stage)`` puts them into the stage table.

    The night's publish fills it from the night's staging (:func:`credit.night.staging.fill_stage`).
    ``scope``: a condition on the store's row ``t`` (SQL with ``%(name)s`` parameters) limiting what
    a ``full`` file may drop to one region partition's rows (:mod:`credit.night.partitions`), whose
    stage holds that region's rows only. ``rows``: the same rows as ``fill`` puts into the stage, as
    a query (SQL with ``%(name)s`` parameters, and its parameters) that an empty table is loaded
    from directly, without the stage (:func:`credit.night.staging.staged_rows`). ``held``: the
    staging key (``night``, ``digest``, ``file``) of the file's held-back rows, whose keys a ``full``
    file does not drop (:func:`_held_back_keys`). ``keep``: the optional columns the file does not
    carry (:func:`credit.contract.manifest.absent_columns`): a row it delivers for a stored key keeps
    the stored values of them (:func:`_keep_stored`), a new row has them unknown.

    Two ways, the same rows (issue 11): into an **empty** table (a first night) every staged row is
    new, so nothing is compared — the rows and their ``new`` history rows are inserted plainly, with
    the tables' indexes built after the load (:func:`credit.bulk.load_then_index`); otherwise the rows that differ
    from the store are found once (one join, ``{stage}_changes``) and only they reach the history
    and the upsert (an unchanged row would not have changed anything there either).
    """
    name = source.name
    if scope is None and rows is not None and bulk.is_empty(conn, name):
        return _load_empty(conn, source, f"({rows[0]}) as s", rows[1], night)
    stage = f"stage_{name}"
    conn.exec_driver_sql(sqlfiles.text_of("night/merge_stage_create").format(stage=stage, name=name))
    conn.exec_driver_sql(sqlfiles.text_of("night/merge_stage_nights").format(stage=stage))
    staged = fill(stage)
    if keep:
        _keep_stored(conn, source, stage, keep)
    if scope is None and bulk.is_empty(conn, name):
        result = _load_empty(conn, source, stage, {}, night)
    else:
        result = _merge_changes(conn, source, mode, night, stage, staged, scope, held)
    conn.exec_driver_sql(sqlfiles.text_of("storage/drop_table").format(table=stage))
    return result


def _keep_stored(conn: Connection, source: Source, stage: str, keep: Sequence[str]) -> None:
    """Give the staged rows of stored keys the store's values of the columns ``keep`` (optional
    columns the file does not carry). contracts.md §1 makes ``restricted_until`` and ``revoked_on``
    optional because "older drops lack them": a file without the column says nothing about it, so
    a re-delivered case of the older format must not erase a revocation the store holds (it came
    back to life, with a serious-list proposal and a notice; outsider's report M1). The merge then
    sees no change in them, and the history rows carry the kept values. An empty cell of a file
    that has the column still means unknown (contracts.md §1) and is merged as such."""
    allowed = {c.name for c in source.columns if c.optional}
    cols = [c for c in keep if c in allowed]
    if not cols:
        return
    join = " and ".join(f"t.{k} = s.{k}" for k in source.key)
    conn.exec_driver_sql(sqlfiles.text_of("night/merge_keep_stored").format(
        stage=stage, assignments=", ".join(f"{c} = t.{c}" for c in cols), name=source.name, join=join))


def _load_empty(conn: Connection, source: Source, stage: str, params: dict[str, object], night: date) -> MergeResult:
    """The stage (a table, or a query with ``params``) into an empty current table: every row is
    ``new`` (the history gets each one, and a ``full`` file has nothing to drop). The same rows and
    history rows as :func:`_merge_changes` would write, without its comparisons and with the
    indexes built once after the load.

    The rows go in sorted by key although a file's come grouped by entity (issue 11, measured at
    1 M on the first night's 2,018,692 annual reports, backend CPU seconds in a rolled-back
    transaction): the sort costs about 3.7 s of the insert's 7.3, but the key indexes then build
    from sorted pages (table 1.2 s instead of 2.0, history 1.1 instead of 2.3) and the table is
    in key order (correlation 1.0 instead of 0): 20 k reports over a range of USCCs read 380
    buffers instead of 7,785, and the planners of the night's later reads count on it. One
    USCC's reports read 4 buffers either way (a file keeps an entity's rows together). A
    writable CTE feeding the history from the insert's RETURNING was slower (12.5 s against
    7.3 + 2.1), and a larger work_mem for the sort did not help (9.6 s)."""
    name = source.name
    cols = ", ".join(source.column_names)
    key = ", ".join(source.key)
    with bulk.load_then_index(conn, name, True):
        staged = conn.exec_driver_sql(
            sqlfiles.text_of("night/merge_load_empty").format(name=name, columns=cols, stage=stage, key=key),
            {**params, "night": night}).rowcount
    if source.history and staged:
        # The history's new rows from the table just loaded, every row of which is tonight's: the
        # stage (a wide staging table, or a query) is read and sorted once, not twice. The table
        # was written in key order, so a scan of it comes in that order too.
        history = f"{name}_history"
        history_was_empty = bulk.is_empty(conn, history)
        with bulk.load_then_index(conn, history, history_was_empty):
            conn.exec_driver_sql(
                sqlfiles.text_of("night/merge_load_empty_history").format(history=history, columns=cols, name=name),
                {"night": night})
        if history_was_empty and name in HISTORY_READ_TONIGHT:
            conn.exec_driver_sql(sqlfiles.text_of("storage/analyze_table").format(table=history))
    if staged:
        # The rest of the night (rosters, grading) plans its joins on this table: with the
        # statistics of the rows just loaded, not those of an empty table. ANALYZE inside the
        # transaction samples the transaction's own rows.
        conn.exec_driver_sql(sqlfiles.text_of("storage/analyze_table").format(table=name))
    return MergeResult(name, staged, staged, 0, 0)


def _merge_changes(conn: Connection, source: Source, mode: str, night: date, stage: str, staged: int,
                   scope: tuple[str, dict[str, object]] | None, held: dict[str, object] | None) -> MergeResult:
    """The stage merged into a current table that has rows: a changed row updates it and leaves a
    history row, an unchanged one changes nothing, a ``full`` file drops what it no longer has —
    but not what one of its held-back rows may stand for (:func:`_held_back_keys`)."""
    name = source.name
    key = ", ".join(source.key)
    cols = source.column_names
    col_list = ", ".join(cols)
    non_key = [c for c in cols if c not in source.key]
    changes = f"{stage}_changes"
    # A temporary table has no statistics: without them the planner joins a million rows by nested loop.
    conn.exec_driver_sql(sqlfiles.text_of("storage/analyze_table").format(table=stage))
    join = " and ".join(f"t.{k} = s.{k}" for k in source.key)
    # The staged rows that are new or differ from the store, found once for the counts, the
    # history and the upsert.
    conn.exec_driver_sql(sqlfiles.text_of("night/merge_changes").format(
        changes=changes, staged=", ".join("s." + c for c in cols), first_key=source.key[0], stage=stage, name=name,
        join=join, staged_rest=", ".join("s." + c for c in non_key), stored_rest=", ".join("t." + c for c in non_key)))
    counts = conn.exec_driver_sql(sqlfiles.text_of("night/merge_change_counts").format(changes=changes)).one()
    new, changed = int(counts[0]), int(counts[1])
    if source.history:
        conn.exec_driver_sql(
            sqlfiles.text_of("night/merge_changes_history").format(name=name, columns=col_list, changes=changes, key=key),
            {"night": night})
    dropped = 0
    if mode == "full":
        gone = sqlfiles.fragment("night/merge_gone").format(stage=stage, join=join)
        scope_params: dict[str, object] = {}
        if scope is not None:
            gone, scope_params = f"{gone} and ({scope[0]})", scope[1]
        if held is not None and (kept := _held_back_keys(conn, source, stage, held)) is not None:
            gone = f"{gone} and " + sqlfiles.fragment("night/merge_gone_held").format(kept=kept, column=kept_on(source))
        if source.history:
            conn.exec_driver_sql(
                sqlfiles.text_of("night/merge_dropped_history").format(
                    name=name, columns=col_list, stored=", ".join("t." + c for c in cols), gone=gone),
                {"night": night, **scope_params})
        dropped = conn.exec_driver_sql(sqlfiles.text_of("night/merge_drop").format(name=name, gone=gone),
                                       scope_params).rowcount
    conn.exec_driver_sql(
        sqlfiles.text_of("night/merge_upsert").format(
            name=name, columns=col_list, changes=changes, key=key,
            updates=", ".join(f"{c} = excluded.{c}" for c in non_key),
            stored_rest=", ".join(name + "." + c for c in non_key),
            excluded_rest=", ".join("excluded." + c for c in non_key)),
        {"night": night})
    conn.exec_driver_sql(sqlfiles.text_of("storage/drop_table").format(table=changes))
    # A region partition's rehearsal of a first night merges a province's region into empty tables
    # (the bulk load is for the whole night's publish): the rosters and grading after it must not
    # plan on "empty" (measured at 200 k, 4 partitions: a roster query ran for minutes).
    plan_on_tonights_rows(conn, name, new + changed)
    if source.history:
        plan_on_tonights_rows(conn, f"{name}_history", new + changed + dropped)
    return MergeResult(name, staged, new, changed, dropped)


def kept_on(source: Source) -> str:
    """The column of a source's key its held-back rows keep rows by: the USCC when the key has one
    (a composite key's year or month is not matched on), else the key itself."""
    return "uscc" if "uscc" in source.key else source.key[0]


def _held_back_keys(conn: Connection, source: Source, stage: str, held: dict[str, object]) -> str | None:
    """The temporary table (column ``k``) of the keys a ``full`` file's held-back rows stand for,
    or None when the file held none back (``sql/night/held_back_keys.sql``). A row quarantined
    tonight — a field the gate refused, a record that could not be split — is not an entity gone
    from the source: dropping it would lose the entity (contracts.md §1, "quarantine what is not"
    unambiguous; the README's "nothing is lost"). Its rows stay as they were until a night
    delivers it readable; a held row whose key cannot be read at all keeps every row of the
    source (``k`` NULL): it could stand for any of them."""
    table = f"{stage}_held"
    key = kept_on(source)
    conn.execute(sa.text(sqlfiles.text_of("storage/temporary_table_as").format(
        table=table, query=sqlfiles.text_of("night/held_back_keys"))), {**held, "key": key, "by_uscc": key == "uscc"})
    if not conn.exec_driver_sql(sqlfiles.text_of("storage/has_rows").format(table=table)).scalar():
        conn.exec_driver_sql(sqlfiles.text_of("storage/drop_table").format(table=table))
        return None
    conn.exec_driver_sql(sqlfiles.text_of("storage/analyze_table").format(table=table))
    return table


def plan_on_tonights_rows(conn: Connection, table: str, added: int) -> bool:
    """ANALYZE ``table`` inside the night's transaction when tonight added more than a tenth of its
    rows (at least 1,000), so that the statements after it plan on what is there. Within the
    transaction autovacuum cannot see the rows yet; a first night, or the re-run of a first night
    that failed after the rosters (its statistics say "empty"), otherwise plans grading's roster
    folds as nested loops over a table it thinks has no rows. Returns whether it analyzed."""
    known = conn.execute(sqlfiles.statement("night/table_rows_estimate"), {"t": table}).scalar()
    if known is None or added <= max(1000, 0.1 * float(known)):
        return False
    conn.exec_driver_sql(sqlfiles.text_of("storage/analyze_table").format(table=table))
    return True


def current_rows(conn: Connection, source: Source) -> int:
    return int(conn.exec_driver_sql(sqlfiles.text_of("storage/count_rows").format(table=source.name)).scalar_one())
