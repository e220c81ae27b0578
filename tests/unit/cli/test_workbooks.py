"""Workbooks an officer opens (issue 15): the 双告知 notices as xlsx — Chinese headings, the header
frozen, codes as text, dates as dates, a 说明 sheet; the CSV keeps its BOM."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from credit import clock
from credit.notices.export import COLUMNS, notices_note, render
from credit.notices.read import Notice

ALL_DIGITS = "911101050000000123"   # an all-digit code: a spreadsheet would make it 9.11E+17


def _notice(i: int) -> Notice:
    return {"id": i, "night": "2026-07-13", "produced_at": "2026-07-14T02:00:00+08:00", "department": "市市场监管局",
            "licence": "食品生产许可", "event": "registered", "event_label": "新设登记", "uscc": ALL_DIGITS,
            "name": "测试食品有限公司", "entity_kind": "enterprise", "region_code": "110105", "industry_code": "C1391",
            "previous_industry_code": None, "established_on": "2026-07-10", "address": "北京市", "matched": "C13",
            "config_version": "notices-2026.1@abc"}


def test_notices_workbook_with_its_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 7, 14, 16, 30, tzinfo=UTC))
    notices = [_notice(1), _notice(2)]
    data = render(notices, "xlsx", notices_note(date(2026, 7, 13), None, notices))
    wb = load_workbook(io.BytesIO(data))
    ws = wb["双告知"]
    assert [c.value for c in ws[1]] == [h for _, h in COLUMNS] and ws.freeze_panes == "A2"
    at = {k: i for i, (k, _) in enumerate(COLUMNS)}
    for row in ws.iter_rows(min_row=2):
        assert row[at["uscc"]].data_type == "s" and row[at["uscc"]].value == ALL_DIGITS
        assert row[at["established_on"]].value == datetime(2026, 7, 10)      # a date cell, not text
        assert row[at["produced_at"]].value == datetime(2026, 7, 14, 2, 0)   # the bureau's wall clock
    assert ws.max_row == 3
    note = {r[0].value: r[1].value if len(r) > 1 else None for r in wb["说明"].iter_rows()}
    assert note["批次日期 night"] == "2026-07-13" and note["行数 rows"] == "2"
    assert note["生成时间 produced at"] == "2026-07-15 00:30:00 (Asia/Shanghai)"      # 16:30 UTC = next day
    assert note["配置版本 config version"] == "notices-2026.1@abc"
    csv = render(notices, "csv")
    assert csv.startswith(b"\xef\xbb\xbf") and ALL_DIGITS.encode() in csv
