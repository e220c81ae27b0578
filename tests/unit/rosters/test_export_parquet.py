"""contracts.md §2 ``--format parquet``: the export's columns have one type whatever the rows hold.

A roster where nobody was removed yet (or an empty roster) used to write ``removed_on`` and
``removal_reason`` (every column, when empty) as Parquet's ``null`` type, so a consumer appending
tomorrow's file to today's met a schema conflict."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from credit.rosters.export import render
from credit.rosters.read import EXPORT_COLUMNS


def _schema(df: pd.DataFrame) -> pa.Schema:
    return pq.read_table(io.BytesIO(render(df, "parquet"))).schema


def _row(**over: object) -> dict[str, object]:
    row: dict[str, object] = {c: f"{c}-text" for c in EXPORT_COLUMNS}
    row.update(included_on=date(2026, 7, 13), state="listed", removed_on=None, removal_reason=None)
    row.update(over)
    return row


def test_parquet_types_do_not_depend_on_the_rows() -> None:
    listed_only = pd.DataFrame([_row()], columns=EXPORT_COLUMNS)
    removed = pd.DataFrame([_row(state="removed", removed_on=date(2026, 7, 20), removal_reason="已补报")],
                           columns=EXPORT_COLUMNS)
    empty = pd.DataFrame([], columns=EXPORT_COLUMNS)
    schemas = [_schema(df).remove_metadata() for df in (listed_only, removed, empty)]
    assert schemas[0] == schemas[1] == schemas[2]
    s = schemas[0]
    assert s.names == EXPORT_COLUMNS
    assert s.field("included_on").type == pa.date32() and s.field("removed_on").type == pa.date32()
    assert all(pa.types.is_string(s.field(c).type) or pa.types.is_large_string(s.field(c).type)
               for c in EXPORT_COLUMNS if c not in ("included_on", "removed_on"))


def test_parquet_serious_steps_column_is_text_when_empty() -> None:
    empty = pd.DataFrame([], columns=[*EXPORT_COLUMNS, "steps"])   # as roster_as_of gives it: object columns
    s = _schema(empty)
    assert s.names == [*EXPORT_COLUMNS, "steps"] and pa.types.is_large_string(s.field("steps").type)
