"""Formula injection (CSV and xlsx): a typed cell never reaches a spreadsheet as a formula (OWASP)."""

from __future__ import annotations

import csv
import io
import json
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
    # no cell starts a formula; an all-digit USCC starts with the tab that keeps it text (credit.exports)
    assert not any(cell.startswith(("=", "+", "-", "@", "\r")) for row in rows for cell in row)
    assert all(cell[1:].isdigit() for row in rows for cell in row if cell.startswith("\t"))


def test_roster_json_is_typed_data_and_keeps_the_text() -> None:
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
    # In xlsx a cell written as a string is never a formula: the exact text (no visible ``'``, the
    # value banks compare with names), as a string cell whose style has quotePrefix set, so that
    # Excel and WPS keep it text even after the officer edits it.
    # (XML stores a CR as a line feed: the workbook's own normalisation, not ours)
    names_cells = [ws.cell(row=r, column=6) for r in range(2, len(HOSTILE) + 2)]
    assert [c.value for c in names_cells] == [t.replace("\r", "\n") for t in HOSTILE]
    assert all(c.data_type == "s" and c.quotePrefix for c in names_cells)
    assert ws.cell(row=2, column=2).value == "=1+1" and ws.cell(row=2, column=2).quotePrefix
    assert not ws.cell(row=2, column=3).quotePrefix            # 食品生产许可: nothing to guard
    assert ws.cell(row=2, column=13).value == 1


def test_roster_xlsx_keeps_the_exact_text_as_a_quote_prefixed_string_cell() -> None:
    from openpyxl import load_workbook

    df = _roster_frame()
    df["decision_no"] = HOSTILE                   # a code column, written as a text cell ("@") too
    df.loc[len(df)] = {**df.iloc[0].to_dict(), "name": "北京测试科技有限公司", "removal_reason": None,
                       "decision_no": "京朝市监罚〔2026〕1号"}
    ws = load_workbook(io.BytesIO(render_roster(df, "xlsx"))).active
    assert ws is not None
    col = [c.value for c in ws[1]].index("名称") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, len(df) + 2)]
    assert [c.value for c in cells] == [t.replace("\r", "\n") for t in HOSTILE] + ["北京测试科技有限公司"]
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True] * len(HOSTILE) + [False]
    col = [c.value for c in ws[1]].index("决定书文号") + 1
    codes = [ws.cell(row=r, column=col) for r in range(2, len(df) + 2)]
    assert [c.value for c in codes] == [t.replace("\r", "\n") for t in HOSTILE] + ["京朝市监罚〔2026〕1号"]
    assert all(c.data_type == "s" for c in codes)
    assert [c.quotePrefix for c in codes] == [True] * len(HOSTILE) + [False]


# -- codes that look like numbers, and timestamps, as a spreadsheet opens the CSV ----------------
@pytest.mark.parametrize("value, kept", [
    ("913301007494307318", "\t913301007494307318"),   # an all-digit USCC: 9.13301E+17 in a spreadsheet
    ("330523", "\t330523"), ("0571", "\t0571"),        # region codes: a number, leading zero lost
    ("2026-001", "\t2026-001"), ("1/2", "\t1/2"),       # a document number a spreadsheet makes a date
    ("91330523MAP1G3FW6J", "91330523MAP1G3FW6J"),     # letters: a spreadsheet keeps it as text anyway
    ("上城市监信〔2026〕1号", "上城市监信〔2026〕1号"), ("C1391", "C1391"),
    ("'-1+2", "'-1+2"), ("", ""), (None, None),         # a neutralised formula, nothing
])
def test_an_identifier_that_looks_like_a_number_gets_a_leading_tab(value: str | None, kept: str | None) -> None:
    from credit.exports import spreadsheet_text

    assert spreadsheet_text(value) == kept
    assert kept is None or kept.strip() == (value or "")   # a program gets the code back with strip()


def test_roster_csv_keeps_all_digit_codes_as_text_and_other_programs_can_read_them() -> None:
    df = _roster_frame().iloc[:2].copy()
    df["uscc"] = ["913301007494307318", "91330523MAP1G3FW6J"]
    df["decision_no"] = ["20260713001", "上城市监信〔2026〕1号"]
    rows = list(csv.reader(io.StringIO(render_roster(df, "csv").decode("utf-8-sig"), newline="")))
    at = {c: rows[0].index(c) for c in ("uscc", "decision_no", "included_on")}
    assert [r[at["uscc"]] for r in rows[1:]] == ["\t913301007494307318", "91330523MAP1G3FW6J"]
    assert [r[at["decision_no"]] for r in rows[1:]] == ["\t20260713001", "上城市监信〔2026〕1号"]
    assert [r[at["included_on"]] for r in rows[1:]] == ["2026-07-01", "2026-07-01"]   # dates stay dates
    back = pd.read_csv(io.BytesIO(render_roster(df, "csv")), encoding="utf-8-sig", dtype=str)
    assert back["uscc"].str.strip().tolist() == ["913301007494307318", "91330523MAP1G3FW6J"]
    assert json.loads(render_roster(df, "json"))[0]["uscc"] == "913301007494307318"   # typed formats untouched


def test_notices_csv_keeps_codes_as_text_and_writes_the_push_time_as_a_spreadsheet_reads_it() -> None:
    n = _notice("测试食品有限公司", 1)
    n.update(uscc="913301007494307318", produced_at="2026-11-30T21:24:33.631204+08:00")
    rows = list(csv.DictReader(io.StringIO(render_notices([n], "csv").decode("utf-8-sig"), newline="")))
    [row] = rows
    assert row["统一社会信用代码"] == "\t913301007494307318" and row["行政区划代码"] == "\t110105"
    assert row["行业代码"] == "\t1391" and row["原行业代码"] == ""
    assert row["推送时间"] == "2026-11-30 21:24:33" and row["成立日期"] == "2026-07-13" and row["编号"] == "1"
    assert json.loads(render_notices([n], "json"))[0]["produced_at"] == "2026-11-30T21:24:33.631204+08:00"


def test_a_csv_timestamp_is_on_the_bureaus_clock() -> None:
    from zoneinfo import ZoneInfo

    from credit.exports import csv_timestamp

    assert csv_timestamp("2026-11-30T13:24:33.63+00:00", ZoneInfo("Asia/Shanghai")) == "2026-11-30 21:24:33"
    assert csv_timestamp("2026-11-30T21:24:33.63+08:00") == "2026-11-30 21:24:33"


def test_a_control_character_in_a_stored_name_does_not_break_the_workbook() -> None:
    """A drop's free text keeps its characters, a BEL or a form feed too; openpyxl refused to write
    them (IllegalCharacterError), so one such name failed every workbook it was in. The cell shows
    U+FFFD where the character stood; tabs and line breaks stay (a worksheet holds them)."""
    import io as _io

    from openpyxl import load_workbook

    from credit.exports import workbook

    data = workbook([("name", "名称"), ("address", "住所")],
                    [["杭州\x07甲\x0c公司", "上城区\t某路\n1号"]], sheet="名录")
    ws = load_workbook(_io.BytesIO(data))["名录"]
    assert ws["A2"].value == "杭州\ufffd甲\ufffd公司" and ws["B2"].value == "上城区\t某路\n1号"
