"""Notices for a department's inbox: CSV (UTF-8 with BOM, for a spreadsheet on a Chinese desktop),
JSON, or xlsx with the USCC kept as text (a spreadsheet must not read it as a number), dates as
dates, the header frozen and a 说明 sheet (night, department, produced at, configuration). In CSV and
xlsx a text cell that would start a formula gets a leading ``'`` (:mod:`credit.exports`); in CSV a
code that looks like a number (an all-digit USCC, a region code) gets a leading tab so that a
spreadsheet keeps it as text, and 推送时间 is ``YYYY-MM-DD HH:MM:SS`` on the bureau's clock
(:func:`credit.exports.spreadsheet_text`, :func:`credit.exports.csv_timestamp`). JSON keeps ISO
timestamps with their offset."""

from __future__ import annotations

import json
from datetime import date, datetime

from credit import clock
from credit.config import load_config
from credit.exports import ExportNote, csv_bytes, csv_timestamp, workbook
from credit.notices.read import Notice
from credit.settings import Settings

FORMATS = ("csv", "json", "xlsx")

#: Columns of the CSV and xlsx export, in this order, with the heading a clerk reads.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("night", "批次日期"), ("department", "许可部门"), ("licence", "许可事项"), ("event_label", "告知事由"),
    ("uscc", "统一社会信用代码"), ("name", "名称"), ("industry_code", "行业代码"),
    ("previous_industry_code", "原行业代码"), ("established_on", "成立日期"), ("region_code", "行政区划代码"),
    ("address", "住所"), ("produced_at", "推送时间"), ("id", "编号"),
)


def render(notices: list[Notice], fmt: str, note: ExportNote | None = None) -> bytes:
    """The bytes of ``notices`` in ``fmt`` (csv / json / xlsx); ``note``: the xlsx 说明 sheet."""
    if fmt == "json":
        return json.dumps(notices, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "csv":
        codes = [k for k, _ in COLUMNS]
        return csv_bytes([head for _, head in COLUMNS], _rows(notices), [codes.index(c) for c in TEXT_COLUMNS])
    if fmt == "xlsx":
        return _xlsx(notices, note)
    raise ValueError(f"format {fmt!r} is not one of {FORMATS}")


#: Codes kept as text in CSV and xlsx, whatever they look like (an all-digit USCC, a region code).
TEXT_COLUMNS = ("uscc", "industry_code", "previous_industry_code", "region_code")


def _rows(notices: list[Notice]) -> list[list[object]]:
    """Each notice's CSV cells in the order of :data:`COLUMNS` ('' where unknown); 推送时间 as
    ``YYYY-MM-DD HH:MM:SS`` on the bureau's clock (``produced_at`` is already in its time)."""
    out = []
    for n in notices:
        cells: dict[str, object] = dict(n)
        cells["produced_at"] = csv_timestamp(n["produced_at"])
        out.append(["" if cells[k] is None else cells[k] for k, _ in COLUMNS])
    return out


def _xlsx(notices: list[Notice], note: ExportNote | None) -> bytes:
    """Chinese headings, the header frozen, the USCC as text, dates and times as such (the bureau's
    wall clock), a 说明 sheet (:func:`credit.exports.workbook`)."""
    rows = []
    for n in notices:
        cells: dict[str, object] = dict(n)
        cells["night"] = date.fromisoformat(n["night"])
        cells["established_on"] = date.fromisoformat(n["established_on"])
        cells["produced_at"] = datetime.fromisoformat(n["produced_at"]).replace(tzinfo=None)  # already bureau time
        rows.append([cells[k] for k, _ in COLUMNS])
    return workbook(COLUMNS, rows, sheet="双告知", text_columns=TEXT_COLUMNS,
                    date_columns=("night", "established_on"), datetime_columns=("produced_at",), note=note)


def notices_note(night: date, department: str | None, notices: list[Notice], settings: Settings | None = None) -> ExportNote:
    """The 说明 of a notices workbook: the night, the department, rows, produced at (bureau clock), config."""
    versions = sorted({n["config_version"] for n in notices})
    facts = (("批次日期 night", night.isoformat()),
             ("许可部门 department", department or "全部 (all departments)"),
             ("行数 rows", str(len(notices))),
             ("生成时间 produced at", clock.stamp(settings=settings)),
             ("配置版本 config version", "；".join(versions) if versions else load_config("notices", settings).version))
    return ExportNote(f"双告知推送（{night.isoformat()}）", facts)
