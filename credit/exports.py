"""What every export to a spreadsheet shares: formula injection neutralised, files signed.

**Formula injection** (CSV/formula injection, OWASP): a cell a person typed (a registered name, a
reason, a document number…) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read as a formula by spreadsheet programs (``=cmd|' /C calc'!A0``, ``@SUM(1)``). Such a
cell is written with a leading ``'`` (the OWASP recommendation), which makes it text. A leading
tab or line break is kept, never stripped (stripping ``\\t=1+1`` would hand over a live formula),
and a cell whose first non-blank character is a trigger is prefixed too. Only text columns are
touched; genuinely numeric columns (ints, floats, dates) are left as they are. That ``'`` is for
CSV, which carries no types. In a **workbook** a cell written as a string is never a formula, so
such a cell keeps its exact text (the value a bank compares with a name, no visible ``'``) in a
string cell whose style has ``quotePrefix`` set (:func:`workbook`): Excel and WPS show it as typed
and keep it text even after a person edits it. JSON and Parquet are typed formats and are not
changed.

**Codes that look like numbers, in CSV** (:func:`spreadsheet_text`, :func:`csv_bytes`): a
spreadsheet opening a CSV by double-click (Excel and WPS on a Chinese desktop) types every cell
itself — an all-digit USCC ``913301007494307318`` becomes ``9.13301E+17`` and loses its last three
digits for good, a region code or a 文号 of digits loses its leading zeros or becomes a date. CSV
carries no types, and quoting the field does not help. What was weighed:

- a leading ``'``: Excel hides it only when a person types it; opening a CSV it stays visible, and
  it is already this module's mark of a neutralised formula;
- ``="913…"``: a formula — exactly what the formula neutralising forbids a cell to be, and every
  program reading the CSV would get ``="…"`` instead of the code;
- a **leading tab** (chosen): Excel and WPS keep a cell that starts with a tab as text, so the
  code shows in full with no visible mark, and a program reading the CSV gets the code after one
  whitespace character that any ``strip()`` removes. It can never start a formula: it is put only
  in front of values made of digits and the separators of numbers and dates (``0-9 . , : / - +
  e E %`` and spaces, first character a digit), and only in the identifier columns an export names
  (USCCs, document numbers, region and industry codes), after the formula neutralising.

The xlsx export stays the format made for spreadsheets (codes as typed text cells); JSON and
Parquet are the formats for programs and are never changed. Timestamps in CSV are written
``YYYY-MM-DD HH:MM:SS`` on the bureau's clock (:func:`csv_timestamp`), which a spreadsheet reads as
a date and time, not ISO's ``T…+08:00`` that it keeps as text.

**Workbooks** (:func:`workbook`, issue 15): Chinese headings, the header row frozen, codes as text,
dates as dates, and a 说明 sheet saying as of when, the decision log's head, when and under which
configuration the file was produced (:class:`ExportNote`).

**Signatures**: an export written to a file gets a signed sidecar ``<file>.sig.json`` carrying the
decision log's head as last published outside the database (:mod:`credit.signing`,
:mod:`credit.rosters.anchors`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

from credit.settings import Settings

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_BLANKS = " \t\r\n\u3000"


def formula_like(value: Any) -> bool:
    """Whether a spreadsheet could read the text ``value`` as a formula (see the module)."""
    return isinstance(value, str) and bool(value) and (
        value.startswith(FORMULA_TRIGGERS) or value.lstrip(_BLANKS).startswith(FORMULA_TRIGGERS[:4]))


def neutralise(value: Any) -> Any:
    """A CSV cell as it may safely reach a spreadsheet: text that would start a formula gets a ``'``."""
    return "'" + value if formula_like(value) else value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell neutralised (numeric, boolean and date columns untouched)."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype):
            out[c] = col.map(neutralise, na_action="ignore")
    return out


def neutralise_row(cells: list[Any]) -> list[Any]:
    return [neutralise(v) for v in cells]


#: A value a spreadsheet would read as a number or a date: digits and the separators of numbers
#: and dates only, starting with a digit (a neutralised cell starts with ``'`` and never matches).
_NUMBER_LIKE = re.compile(r"[0-9][0-9.,:/ eE%+\-]*")
SPREADSHEET_TEXT_MARK = "\t"


def spreadsheet_text(value: Any) -> Any:
    """An identifier cell of a CSV as a spreadsheet must keep it: a value that looks like a number
    or a date gets a leading tab (see the module: Excel and WPS then keep it as text, in full);
    anything else, missing values included, is returned as it is."""
    if isinstance(value, str) and _NUMBER_LIKE.fullmatch(value):
        return SPREADSHEET_TEXT_MARK + value
    return value


def csv_timestamp(value: datetime | str, zone: tzinfo | None = None) -> str:
    """A timestamp as a CSV cell a spreadsheet reads as a date and time: ``YYYY-MM-DD HH:MM:SS``
    on the bureau's clock ``zone``, fractions of a second dropped. Without ``zone`` the value is
    already on the bureau's clock (an ISO string with the bureau's offset, as the notices carry)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if zone is not None and moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def csv_frame(df: pd.DataFrame, text_columns: Sequence[str]) -> pd.DataFrame:
    """A copy of ``df`` ready for a CSV a spreadsheet opens: every text cell neutralised against
    formulas, then the identifier ``text_columns`` kept as text (:func:`spreadsheet_text`)."""
    out = neutralise_frame(df)
    for c in text_columns:
        if c in out.columns:
            out[c] = out[c].map(spreadsheet_text, na_action="ignore")
    return out


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], text_columns: Sequence[int]) -> bytes:
    """A CSV export: UTF-8 with BOM (contracts.md §2: a spreadsheet on a Chinese desktop reads the
    Chinese), CRLF line ends, every text cell neutralised, the identifier cells at the positions
    ``text_columns`` kept as text (:func:`spreadsheet_text`)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    keep = set(text_columns)
    for row in rows:
        cells = neutralise_row(list(row))
        w.writerow([spreadsheet_text(v) if i in keep else v for i, v in enumerate(cells)])
    return buf.getvalue().encode("utf-8-sig")


def write_export(out: Path, data: bytes, settings: Settings, through: date | None = None) -> Path:
    """Write an export to ``out`` with its signed sidecar; returns the sidecar's path. The sidecar
    names the decision log's head as last published, or with ``through`` (an export as recorded
    after night K) as published for night K (:func:`credit.rosters.anchors.published_head`)."""
    from credit.keyring import held_signer
    from credit.rosters.anchors import published_head
    from credit.signing import write_signed

    head = published_head(settings, through)
    with held_signer(settings) as signer:   # not handed over until the sidecar is signed
        return write_signed(out, data, signer, head)


# ------------------------------------------------------------------------------------------------
# Workbooks an officer opens (issue 15)
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportNote:
    """What the 说明 sheet of a workbook says: what the rows are and as of when, the decision log's
    head they reflect, when and under which configuration they were produced."""

    title: str                          # e.g. 经营异常名录
    facts: tuple[tuple[str, str], ...]  # (label, value), in order: as-of, known-at, chain head, produced at, config


#: Characters a worksheet cannot hold (XML 1.0: the C0 controls but tab, line feed and carriage
#: return). A stored name or ground may carry one (a drop's free text keeps its characters).
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: What stands in a cell for such a character: visible, so the officer sees something was there.
REPLACED = "\ufffd"


def _excel_value(value: Any) -> Any:
    """A cell value openpyxl writes faithfully: missing as empty, pandas timestamps as datetimes,
    a control character a worksheet cannot hold as U+FFFD (openpyxl refused the whole workbook
    with IllegalCharacterError: one name with a BEL broke every roster download)."""
    if value is None or (not isinstance(value, str | list | tuple | dict) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str) and _NOT_IN_XML.search(value):
        return _NOT_IN_XML.sub(REPLACED, value)
    return value


def _guard_text(cell: Any) -> None:
    """A text cell of a workbook as typed: a string cell (openpyxl would store ``=…`` as a formula
    and ``#N/A`` as an error), with ``quotePrefix`` when a spreadsheet could read it as a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if formula_like(cell.value):
            cell.quotePrefix = True


def workbook(headings: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]], *, sheet: str,
             text_columns: Sequence[str] = (), date_columns: Sequence[str] = (),
             datetime_columns: Sequence[str] = (), note: ExportNote | None = None) -> bytes:
    """An xlsx workbook: Chinese headings over the rows (``headings``: (column code, heading)), the
    header row frozen, codes and document numbers as text cells (an all-digit USCC never becomes
    9.13E+17), dates as dates, every text cell kept as its exact text in a string cell (one that
    could read as a formula gets the style's ``quotePrefix``, see the module); and a second sheet
    说明 with the note and the heading ↔ column-code map (the codes of the CSV and JSON export)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has one sheet
    ws.title = sheet
    codes = [c for c, _ in headings]
    ws.append([h for _, h in headings])
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.freeze_panes = "A2"
    text_at = [codes.index(c) + 1 for c in text_columns if c in codes]
    formats = {codes.index(c) + 1: "yyyy-mm-dd" for c in date_columns if c in codes}
    formats |= {codes.index(c) + 1: "yyyy-mm-dd hh:mm:ss" for c in datetime_columns if c in codes}
    for row in rows:
        ws.append([_excel_value(v) for v in row])
        r = ws.max_row
        for col in text_at:
            cell = ws.cell(row=r, column=col)
            cell.value = None if cell.value is None else str(cell.value)
            cell.number_format = "@"
        for col, fmt in formats.items():
            ws.cell(row=r, column=col).number_format = fmt
        for cell in ws[r]:       # last: setting a value again lets openpyxl read "=…" as a formula
            _guard_text(cell)
    for i, (code, heading) in enumerate(headings, start=1):   # wide enough for the heading or an 18-char code
        ws.column_dimensions[get_column_letter(i)].width = max(
            12, 2 * len(heading) + 2, 20 if code in text_columns else 0)
    if note is not None:
        info = wb.create_sheet("说明")
        info.append([note.title])
        info["A1"].font = Font(bold=True, size=13)
        for label, value in note.facts:
            info.append([label, _excel_value(value)])
            _guard_text(info.cell(row=info.max_row, column=2))
        info.append([])
        info.append(["列名", "字段代码（CSV、JSON 导出的列名）"])
        for code, heading in headings:
            info.append([heading, code])
        info.column_dimensions["A"].width = 24
        info.column_dimensions["B"].width = 80
        for row in info.iter_rows():
            for c in row:
                c.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
