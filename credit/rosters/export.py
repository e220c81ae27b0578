"""Roster export (名录公示导出): the roster as of a date in the columns of contracts.md §2.

CSV is UTF-8 **with BOM** so that a spreadsheet on a Chinese desktop opens the Chinese wording
correctly, its text cells are neutralised against formula injection (:mod:`credit.exports`:
a cell starting ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``), and a USCC or 文号
that looks like a number gets a leading tab so that the spreadsheet keeps it as text, all 18
characters (:func:`credit.exports.spreadsheet_text`, which says why a tab); JSON keeps the
characters unescaped; Parquet keeps dates typed; xlsx (contracts.md §2) keeps the USCC and the
文号 as text cells (a spreadsheet must not turn an all-digit code into 9.13E+17), dates as dates,
the header row frozen, and its text cells neutralised like the CSV's; its headings are Chinese
(:data:`HEADINGS`, the CSV and JSON keep the contract's column names) and a second sheet 说明 says
as of when and as known after which night, the decision log's head, when (bureau clock) and under
which configuration it was produced (:func:`export_note`, issue 15). Written to a file by the CLI, an export gets a
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

from credit import clock, sqlfiles
from credit.config import config_versions
from credit.exports import ExportNote, csv_frame, workbook
from credit.rosters.known import KnownAt
from credit.rosters.labels import roster_label, state_label
from credit.rosters.read import EXPORT_COLUMNS, latest_night, roster_as_of
from credit.rosters.serious import listing_steps, steps_text
from credit.settings import Settings

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


def render(df: pd.DataFrame, fmt: str, note: ExportNote | None = None) -> bytes:
    """The bytes of the export in ``fmt`` (csv / json / parquet / xlsx); ``note``: the xlsx 说明 sheet."""
    if "steps" in df and fmt in ("csv", "parquet", "xlsx"):
        df = df.assign(steps=df["steps"].map(steps_text))   # one cell: 告知 2026-03-02 文号；列入决定 …
    if fmt == "csv":
        # codes that look like numbers stay text in a spreadsheet (a leading tab: credit.exports)
        return csv_frame(df, TEXT_COLUMNS).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
    if fmt == "json":
        records = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
        for r in records:  # dates as YYYY-MM-DD, not timestamps
            for k in ("included_on", "removed_on"):
                if isinstance(r.get(k), str):
                    r[k] = r[k][:10]
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "parquet":
        buf = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(df, schema=_parquet_schema(df), preserve_index=False), buf)
        return buf.getvalue()
    if fmt == "xlsx":
        return _xlsx(df, note)
    raise ValueError(f"format {fmt!r} is not one of {FORMATS}")


#: The dated columns of the export; every other column of the contract is text (contracts.md §2).
DATE_COLUMNS = ("included_on", "removed_on")


def _parquet_schema(df: pd.DataFrame) -> pa.Schema:
    """One Parquet type per column whatever the rows hold: dates ``date32``, the rest text. Inferred
    from the rows, a column with no value yet (``removed_on`` before any removal, every column of an
    empty roster) came out as Parquet's ``null`` type, and tomorrow's file no longer appended to
    today's."""
    return pa.schema([(str(c), pa.date32() if c in DATE_COLUMNS else pa.large_string()) for c in df.columns])


#: Columns kept as text in xlsx and CSV whatever they look like: codes and document numbers (in
#: CSV a value that looks like a number gets a leading tab, :func:`credit.exports.spreadsheet_text`).
TEXT_COLUMNS = ("uscc", "decision_no")


#: The xlsx headings an officer reads (contracts.md §2 column → Chinese).
HEADINGS = {"uscc": "统一社会信用代码", "name": "名称", "roster": "名录", "cause_code": "事由代码",
            "cause": "列入事由", "basis": "依据", "included_on": "列入日期", "decision_no": "决定书文号",
            "authority": "作出决定机关", "state": "状态", "removed_on": "移出日期", "removal_reason": "移出事由",
            "remedy": "救济途径", "steps": "程序步骤"}


def _xlsx(df: pd.DataFrame, note: ExportNote | None) -> bytes:
    """The workbook an officer opens: the contract's columns under Chinese headings, with the roster
    and the state read as words (经营异常名录, 列入中 / 已移出) — the codes stay in CSV, JSON and
    Parquet, which programs read (contracts.md §2)."""
    columns = [str(c) for c in df.columns]
    shown = df.copy()
    if "state" in shown.columns:
        rosters = shown["roster"] if "roster" in shown.columns else pd.Series([None] * len(shown), index=shown.index)
        shown["state"] = [state_label(st, r) for st, r in zip(shown["state"], rosters, strict=True)]
    if "roster" in shown.columns:
        shown["roster"] = shown["roster"].map(roster_label)
    rows = (list(r) for r in shown.itertuples(index=False, name=None))
    return workbook([(c, HEADINGS.get(c, c)) for c in columns], rows, sheet="名录", text_columns=TEXT_COLUMNS,
                    date_columns=DATE_COLUMNS, note=note)


def export_note(conn: Connection, roster: str, as_of: date, known: KnownAt | None = None,
                settings: Settings | None = None, rows: int | None = None) -> ExportNote:
    """The 说明 of a roster workbook: as of, as known after which night, the decision log's head the
    rows reflect (at the end of night K with ``known``, else the log's latest decision), when it
    was produced on the bureau's clock, and the configuration versions."""
    head = conn.execute(sqlfiles.statement("rosters/export_chain_head"),
                        {"k": known.night if known else None}).mappings().first()
    through = latest_night(conn)
    # The last night the rows speak for: night K when asked as known after K (the API's
    # X-Data-Through and `credit roster export --known-at` say so too), else the latest night.
    last = min(through, known.night) if through and known else known.night if known else through
    facts = [("截至日期 as of", as_of.isoformat()),
             ("依据记录 known at", f"第 {known.night.isoformat()} 批次处理后的记录 (as recorded after night "
                                  f"{known.night.isoformat()})" if known else "当前记录 (the record as it stands)"),
             ("数据截至批次 data through", last.isoformat() if last else "尚无已发布批次 (no night published)"),
             ("决定链头 chain head", f"决定 {head['seq']}，哈希 {head['row_hash']}" if head else "（决定日志为空）")]
    if last is None or as_of > last:
        facts.append(("提示 caveat", "截至日期晚于数据所及的最近批次，其后批次的决定可能改变本表 (as of is after the "
                                    "last night the data speak for: decisions of later nights may change this roster)"))
    if rows is not None:
        facts.append(("行数 rows", str(rows)))
    facts += [("生成时间 produced at", clock.stamp(settings=settings)),
              ("配置版本 config version", config_versions(["rules", "rosters", "calendar"], settings))]
    return ExportNote(f"{roster_label(roster)}（截至 {as_of.isoformat()}）", tuple(facts))


def export_roster(conn: Connection, roster: str, as_of: date, fmt: str = "csv", out: Path | None = None,
                  known: KnownAt | None = None, settings: Settings | None = None) -> bytes:
    """Render the roster as of ``as_of`` (as known after night ``known``); write it to ``out`` when
    given; return the bytes."""
    df = export_frame(conn, roster, as_of, known)
    note = export_note(conn, roster, as_of, known, settings, len(df)) if fmt == "xlsx" else None
    data = render(df, fmt, note)
    if out is not None:
        Path(out).write_bytes(data)
    return data
