"""Roster export (名录公示导出): the roster as of a date in the columns of contracts.md §2.

CSV is UTF-8 **with BOM** so that a spreadsheet on a Chinese desktop opens the Chinese wording
correctly, and its text cells are neutralised against formula injection (:mod:`credit.exports`:
a cell starting ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``); JSON keeps the
characters unescaped; Parquet keeps dates typed; xlsx (contracts.md §2) keeps the USCC and the
文号 as text cells (a spreadsheet must not turn an all-digit code into 9.13E+17), dates as dates,
the header row frozen, and its text cells neutralised like the CSV's. Written to a file by the CLI, an export gets a
signed sidecar ``<file>.sig.json`` (:func:`credit.exports.write_export`).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.engine import Connection

from credit.exports import neutralise_frame
from credit.rosters.known import KnownAt
from credit.rosters.read import EXPORT_COLUMNS, roster_as_of
from credit.rosters.serious import listing_steps, steps_text

FORMATS = ("csv", "json", "parquet", "xlsx")


def export_frame(conn: Connection, roster: str, as_of: date, known: KnownAt | None = None) -> pd.DataFrame:
    """The export rows: exactly :data:`EXPORT_COLUMNS`, in that order (``remedy`` last); the serious list appends
    ``steps``, the procedure's served and published steps with their dates (domain.md §4).
    ``known``: as recorded after that night."""
    df = roster_as_of(conn, as_of, roster, known=known)[EXPORT_COLUMNS]
    if roster == "serious":
        steps = listing_steps(conn, as_of, known=known)
        df = df.assign(steps=pd.Series([steps.get((u, n), []) for u, n in zip(df["uscc"], df["decision_no"], strict=True)],
                                        index=df.index, dtype=object))
    return df


def render(df: pd.DataFrame, fmt: str) -> bytes:
    """The bytes of the export in ``fmt`` (csv / json / parquet / xlsx)."""
    if "steps" in df and fmt in ("csv", "parquet", "xlsx"):
        df = df.assign(steps=df["steps"].map(steps_text))   # one cell: 告知 2026-03-02 文号；列入决定 …
    if fmt == "csv":
        return neutralise_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
    if fmt == "json":
        records = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
        for r in records:  # dates as YYYY-MM-DD, not timestamps
            for k in ("included_on", "removed_on"):
                if isinstance(r.get(k), str):
                    r[k] = r[k][:10]
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "parquet":
        buf = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), buf)
        return buf.getvalue()
    if fmt == "xlsx":
        return _xlsx(df)
    raise ValueError(f"format {fmt!r} is not one of {FORMATS}")


#: Columns kept as text in xlsx whatever they look like: codes and document numbers.
TEXT_COLUMNS = ("uscc", "decision_no")


def _xlsx(df: pd.DataFrame) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has one sheet
    ws.title = "名录"
    columns = list(df.columns)
    ws.append(columns)
    ws.freeze_panes = "A2"
    text_at = [columns.index(c) + 1 for c in TEXT_COLUMNS if c in columns]
    dates_at = [columns.index(c) + 1 for c in ("included_on", "removed_on") if c in columns]
    for row in neutralise_frame(df).itertuples(index=False, name=None):
        ws.append([None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in row])
        for col in text_at:
            cell = ws.cell(row=ws.max_row, column=col)
            cell.value = None if cell.value is None else str(cell.value)
            cell.number_format = "@"
        for col in dates_at:
            ws.cell(row=ws.max_row, column=col).number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_roster(conn: Connection, roster: str, as_of: date, fmt: str = "csv", out: Path | None = None,
                  known: KnownAt | None = None) -> bytes:
    """Render the roster as of ``as_of`` (as known after night ``known``); write it to ``out`` when
    given; return the bytes."""
    data = render(export_frame(conn, roster, as_of, known), fmt)
    if out is not None:
        Path(out).write_bytes(data)
    return data
