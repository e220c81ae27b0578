"""Notices for a department's inbox: CSV (UTF-8 with BOM, for a spreadsheet on a Chinese desktop),
JSON, or xlsx with the USCC kept as text (a spreadsheet must not read it as a number). In CSV and
xlsx a text cell that would start a formula gets a leading ``'`` (:mod:`credit.exports`)."""

from __future__ import annotations

import csv
import io
import json

from credit.exports import neutralise_row
from credit.notices.read import Notice

FORMATS = ("csv", "json", "xlsx")

#: Columns of the CSV and xlsx export, in this order, with the heading a clerk reads.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("night", "批次日期"), ("department", "许可部门"), ("licence", "许可事项"), ("event_label", "告知事由"),
    ("uscc", "统一社会信用代码"), ("name", "名称"), ("industry_code", "行业代码"),
    ("previous_industry_code", "原行业代码"), ("established_on", "成立日期"), ("region_code", "登记机关区划"),
    ("address", "住所"), ("produced_at", "推送时间"), ("id", "编号"),
)


def render(notices: list[Notice], fmt: str) -> bytes:
    """The bytes of ``notices`` in ``fmt`` (csv / json / xlsx)."""
    if fmt == "json":
        return json.dumps(notices, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([head for _, head in COLUMNS])
        for row in _rows(notices):
            w.writerow(row)
        return buf.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        return _xlsx(notices)
    raise ValueError(f"format {fmt!r} is not one of {FORMATS}")


def _rows(notices: list[Notice]) -> list[list[object]]:
    """Each notice's cells in the order of :data:`COLUMNS` ('' where unknown)."""
    out = []
    for n in notices:
        cells: dict[str, object] = dict(n)
        out.append(neutralise_row(["" if cells[k] is None else cells[k] for k, _ in COLUMNS]))
    return out


def _xlsx(notices: list[Notice]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has one sheet
    ws.title = "双告知"
    ws.append([head for _, head in COLUMNS])
    uscc_col = [k for k, _ in COLUMNS].index("uscc") + 1
    for row in _rows(notices):
        ws.append(row)
        ws.cell(row=ws.max_row, column=uscc_col).number_format = "@"   # text, never a number
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
