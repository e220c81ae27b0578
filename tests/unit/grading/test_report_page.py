"""The nightly report page: self-contained HTML with inline SVG, readable without our software."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from credit.contract.industry import SECTIONS, section_label
from credit.grading.report import (
    ReportData,
    crosstab,
    nice_axis,
    render,
    svg_history,
    svg_moves,
    svg_share_bars,
    write,
)


def data() -> ReportData:
    keys = pd.Series(["110105", "110105", "310101", None, "440300"])
    grades = pd.Series(["A", "D", "B", "C", "A"])
    history = pd.DataFrame({"A": [3, 2], "B": [1, 1], "C": [1, 1], "D": [0, 1]},
                           index=[date(2026, 7, 14), date(2026, 7, 15)])
    moves = pd.DataFrame({"upgrades": [0, 0], "downgrades": [0, 1]}, index=history.index)
    matrix = pd.DataFrame({"A": [2, 0], "D": [1, 0], "B": [0, 1]}, index=["A", "B"])
    return ReportData(night=date(2026, 7, 15), config_version="grading-2026.1@abc", distribution={"A": 2, "B": 1, "C": 1, "D": 1},
                      by_region=crosstab(keys, grades, top=2), by_industry=crosstab(pd.Series(list("CCFFG")), grades, top=5),
                      history=history, moves=moves, matrix=matrix, warnings=["tier A <jump> 0.30"])


def test_crosstab_pools_small_keys_and_unknown() -> None:
    ct = crosstab(pd.Series(["110105", "110105", "310101", None, "440300"]), pd.Series(["A", "D", "B", "C", "A"]), top=2)
    assert list(ct.columns) == ["A", "B", "C", "D"]
    assert ct.loc["110105"].tolist() == [1, 0, 0, 1]
    assert int(ct.to_numpy().sum()) == 5 and "其他" in ct.index and len(ct) == 3


def test_page_is_self_contained_and_escaped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    html = render(data())
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert html.count("<svg") == 4                       # region, industry, history, moves
    assert "<script" not in html.lower() and "<link" not in html.lower() and "https://" not in html
    assert "&lt;jump&gt;" in html and "<jump>" not in html   # warnings are escaped, not markup
    assert "2026-07-15" in html and "grading-2026.1@abc" in html and "110105" in html
    path = write(data(), tmp_path)
    assert path == tmp_path / "2026-07-15" / "index.html" and path.read_text(encoding="utf-8") == html


def test_report_without_history_still_renders() -> None:
    d = data()
    d.history = d.history.iloc[0:0]
    d.moves = d.moves.iloc[0:0]
    d.matrix = pd.DataFrame()
    html = render(d)
    assert "尚无历史数据" in html


def test_gbt4754_sections_are_named_in_chinese() -> None:
    """GB/T 4754-2017: 20 sections A–T; the report names them, not bare letters."""
    assert list(SECTIONS) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert SECTIONS["A"] == "农、林、牧、渔业" and SECTIONS["C"] == "制造业" and SECTIONS["F"] == "批发和零售业"
    assert SECTIONS["H"] == "住宿和餐饮业" and SECTIONS["T"] == "国际组织"
    assert section_label("C") == "C 制造业" and section_label("未知") == "未知" and section_label("其他") == "其他"
    html = render(data())
    assert "C 制造业" in html and "F 批发和零售业" in html and "G 交通运输、仓储和邮政业" in html
    assert 'text-anchor="end">C</text>' not in html and 'text-anchor="end">F</text>' not in html


@pytest.mark.parametrize(("top", "axis"), [(0, (10, 2)), (1, (10, 2)), (7, (10, 2)), (12, (15, 5)), (48, (50, 10)),
                                           (130, (150, 50)), (2_345, (2_500, 500))])
def test_count_axis_is_round_from_zero_and_not_stretched(top: int, axis: tuple[int, int]) -> None:
    assert nice_axis(top) == axis


def _bars(svg: str) -> list[tuple[float, str]]:
    """(height, title) of each bar of a chart."""
    return [(float(h), t) for h, t in re.findall(r'<rect [^>]*height="([\d.]+)"[^>]*><title>([^<]*)</title>', svg)]


def test_one_downgrade_is_a_short_bar_with_its_value_and_axes() -> None:
    moves = data().moves   # one downgrade on the second night, nothing else
    svg = svg_moves(moves)
    heights = {t: h for h, t in _bars(svg)}
    assert heights["2026-07-15 降级：1 户"] == pytest.approx(160 / 10)   # a tenth of the axis, not all of it
    assert heights["2026-07-14 升级：0 户"] == 0
    assert "主体数（户）" in svg and "批次日期（月-日）" in svg             # both axes titled
    ticks = re.findall(r'text-anchor="end">(\d+)</text>', svg)
    assert ticks == ["0", "2", "4", "6", "8", "10"]                       # from zero, round steps
    values = re.findall(r'font-size="9" text-anchor="middle">(\d+)</text>', svg)
    assert values == ["0", "0", "0", "1"]                                 # every bar carries its value


def test_share_charts_carry_axes_and_values() -> None:
    d = data()
    hist = svg_history(d.history, "")
    assert "各等级占比（%）" in hist and ">100%<" in hist and ">0%<" in hist
    totals = re.findall(r'font-size="9" text-anchor="middle">(\d+)</text>', hist)
    assert totals == ["5", "5"]   # each night's graded entities above its column
    assert "2026-07-15 A：2 户（40.0%）" in hist
    bars = svg_share_bars(d.by_industry, "")
    assert "各等级占比（%）" in bars and "合计（户）" in bars and ">50%<" in bars
    assert 'text-anchor="end">C</text>' in bars   # raw keys stay raw here; render() names the sections
