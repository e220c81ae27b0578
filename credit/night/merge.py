"""The entity store (主体库): each source's current state and, where kept, every change.

Rows arrive typed and accepted; they are copied into a temporary stage (with PostgreSQL COPY, or
from the night's staging tables) and merged with set-based SQL — a changed row updates the current table and leaves a history
row carrying the night; an unchanged row changes nothing, which is what makes a night safe to
load twice. A ``full`` file replaces the source's state: rows it no longer has are dropped from
the current table, and the drop is kept in the history.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection

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

    Canonical text (credit.night.quality.normalise) is already ISO dates, plain numbers and
    true/false, so the only conversion left is ';'-lists into array literals.

    The rows go in chunks of :data:`COPY_CHUNK_ROWS` through one COPY: the client holds one chunk's
    Arrow columns and CSV text at a time, not the whole file's (issue 11: bounded memory).
    """
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside the night's transaction
    with raw.cursor() as cur, cur.copy(f"copy {table} ({', '.join(source.column_names)}) from stdin (format csv)") as cp:
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
               scope: tuple[str, dict[str, object]] | None = None) -> MergeResult:
    """Merge one file's accepted rows into the store; ``fill(stage)`` puts them into the stage table.

    The night's publish fills it from the night's staging (:func:`credit.night.staging.fill_stage`).
    ``scope``: a condition on the store's row ``t`` (SQL with ``%(name)s`` parameters) limiting what
    a ``full`` file may drop to one region partition's rows (:mod:`credit.night.partitions`), whose
    stage holds that region's rows only.
    """
    name = source.name
    stage = f"stage_{name}"
    key = ", ".join(source.key)
    cols = source.column_names
    col_list = ", ".join(cols)
    non_key = [c for c in cols if c not in source.key]
    conn.exec_driver_sql(f"create temporary table {stage} (like {name} including defaults) on commit drop")
    conn.exec_driver_sql(f"alter table {stage} alter column first_night drop not null, "
                         f"alter column last_night drop not null")
    staged = fill(stage)
    # A temporary table has no statistics: without them the planner joins a million rows by nested loop.
    conn.exec_driver_sql(f"analyze {stage}")
    join = " and ".join(f"t.{k} = s.{k}" for k in source.key)
    differs = f"({', '.join('s.' + c for c in non_key)}) is distinct from ({', '.join('t.' + c for c in non_key)})"
    counts = conn.exec_driver_sql(
        f"select count(*) filter (where t.{source.key[0]} is null), "
        f"count(*) filter (where t.{source.key[0]} is not null and {differs}) "
        f"from {stage} s left join {name} t on {join}").one()
    new, changed = int(counts[0]), int(counts[1])
    if source.history:
        conn.exec_driver_sql(
            f"insert into {name}_history (night, change, {col_list}) "
            f"select %(night)s, case when t.{source.key[0]} is null then 'new' else 'changed' end, "
            f"{', '.join('s.' + c for c in cols)} from {stage} s left join {name} t on {join} "
            f"where t.{source.key[0]} is null or {differs} order by {', '.join('s.' + k for k in source.key)}",
            {"night": night})
    dropped = 0
    if mode == "full":
        gone = f"not exists (select 1 from {stage} s where {join})"
        scope_params: dict[str, object] = {}
        if scope is not None:
            gone, scope_params = f"{gone} and ({scope[0]})", scope[1]
        if source.history:
            conn.exec_driver_sql(
                f"insert into {name}_history (night, change, {col_list}) "
                f"select %(night)s, 'dropped', {', '.join('t.' + c for c in cols)} from {name} t where {gone}",
                {"night": night, **scope_params})
        dropped = conn.exec_driver_sql(f"delete from {name} t where {gone}", scope_params).rowcount
    updates = ", ".join(f"{c} = excluded.{c}" for c in non_key)
    where = f"({', '.join(name + '.' + c for c in non_key)}) is distinct from ({', '.join('excluded.' + c for c in non_key)})"
    conn.exec_driver_sql(
        f"insert into {name} ({col_list}, first_night, last_night) "
        f"select {col_list}, %(night)s, %(night)s from {stage} order by {key} "
        f"on conflict ({key}) do update set {updates}, last_night = excluded.last_night where {where}",
        {"night": night})
    conn.exec_driver_sql(f"drop table {stage}")
    return MergeResult(name, staged, new, changed, dropped)


def current_rows(conn: Connection, source: Source) -> int:
    return int(conn.exec_driver_sql(f"select count(*) from {source.name}").scalar_one())
