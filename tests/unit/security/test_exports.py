"""Formula injection (CSV and xlsx): a typed cell never reaches a spreadsheet as a formula (OWASP)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest

from credit.exports import neutralise, neutralise_frame
from credit.notices.export import render as render_notices
from credit.notices.read import Notice
from credit.rosters.export import render as render_roster
from credit.rosters.read import EXPORT_COLUMNS

HOSTILE = ["=cmd|' /C calc'!A0", "+1", "@SUM(1)", "-2+3", "\t=1+1", "\r=1+1", " =1+1", "=HYPERLINK(\"http://x\")"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_that_would_start_a_formula_is_made_text(text: str) -> None:
    out = neutralise(text)
    assert out == "'" + text          # the quote first; the tab or CR kept, never stripped into a live formula


@pytest.mark.parametrize("text", ["北京测试科技有限公司", "京朝市监罚〔2026〕1号", "2026-07-01", "", "a=b", "91110105MA00000012"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


def test_numbers_and_dates_are_untouched() -> None:
    df = pd.DataFrame({"n": [-2, 3], "x": [-1.5, 2.0], "d": [date(2026, 1, 1), None], "t": ["-2+3", "ok"]})
    out = neutralise_frame(df)
    assert out["n"].tolist() == [-2, 3] and out["x"].tolist() == [-1.5, 2.0]
    assert out["d"].tolist() == [date(2026, 1, 1), None]
    assert out["t"].tolist() == ["'-2+3", "ok"]
    assert df["t"].tolist() == ["-2+3", "ok"]                     # the caller's frame is not changed


def _roster_frame() -> pd.DataFrame:
    rows = []
    for i, text in enumerate(HOSTILE):
        row: dict[str, object] = {c: f"v{i}" for c in EXPORT_COLUMNS}
        row.update(uscc=f"9111010500000000{i:02d}", name=text, removal_reason=text, included_on=date(2026, 7, 1))
        rows.append(row)
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS)


def test_roster_csv_keeps_the_contract_columns_and_neutralises_every_typed_cell() -> None:
    data = render_roster(_roster_frame(), "csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == EXPORT_COLUMNS
    for row, text in zip(rows[1:], HOSTILE, strict=True):
        assert row[1] == "'" + text and row[11] == "'" + text
        assert row[6] == "2026-07-01"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_roster_json_is_typed_data_and_keeps_the_text() -> None:
    import json

    records = json.loads(render_roster(_roster_frame(), "json"))
    assert [r["name"] for r in records] == HOSTILE


def _notice(text: str, i: int) -> Notice:
    return {"id": i, "night": "2026-07-13", "produced_at": "2026-07-14T02:00:00+08:00", "department": "=1+1",
            "licence": "食品生产许可", "event": "new", "event_label": "新设立", "uscc": "91110105MA00000012",
            "name": text, "entity_kind": "enterprise", "region_code": "110105", "industry_code": "1391",
            "previous_industry_code": None, "established_on": "2026-07-13", "address": text, "matched": "13"}


def test_notices_csv_and_xlsx_neutralise_typed_cells() -> None:
    from openpyxl import load_workbook

    notices = [_notice(t, i) for i, t in enumerate(HOSTILE, start=1)]
    rows = list(csv.reader(io.StringIO(render_notices(notices, "csv").decode("utf-8-sig"), newline="")))
    names = [r[5] for r in rows[1:]]
    assert names == ["'" + t for t in HOSTILE]
    assert {r[1] for r in rows[1:]} == {"'=1+1"}
    assert [r[-1] for r in rows[1:]] == [str(i) for i in range(1, len(HOSTILE) + 1)]   # ids stay numbers
    wb = load_workbook(io.BytesIO(render_notices(notices, "xlsx")))
    ws = wb.active
    assert ws is not None
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert not any(c.data_type == "f" for c in cells)              # openpyxl would store "=…" as a formula
    # (XML stores a CR as a line feed: the workbook's own normalisation, not ours)
    assert [ws.cell(row=r, column=6).value for r in range(2, len(HOSTILE) + 2)] == [
        "'" + t.replace("\r", "\n") for t in HOSTILE]
    assert ws.cell(row=2, column=13).value == 1
