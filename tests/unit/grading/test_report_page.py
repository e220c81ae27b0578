"""The nightly report page: self-contained HTML with inline SVG, readable without our software."""

from __future__ import annotations

from datetime import date

import pandas as pd

from credit.grading.report import ReportData, crosstab, render, write


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
    assert "no graded nights yet" in html
