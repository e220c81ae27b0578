"""The serious-list assessment's refusal reads as sentences (domain.md §4): its clauses joined by
Chinese punctuation, not run together with a space ("当前不需要裁量评估 陈述申辩期限至…"), and the
English saying the same, once."""

from __future__ import annotations

from datetime import date

import pytest

from credit.rosters.serious import NextStep
from credit.rosters.serious_officers import not_assessable


@pytest.mark.parametrize(("owed", "ends", "zh", "en"), [
    (NextStep("statement_window", date(2026, 3, 9), "party"), date(2026, 3, 9),
     "案件 P1 当前不需要裁量评估；陈述申辩期限至 2026-03-09 届满前不得评估",
     "(case P1 needs no assessment now: the statement window runs until 2026-03-09; no assessment before it "
     "ends; next step: statement_window)"),
    (NextStep("statement_window", None, "party", date(2027, 1, 8), "2027 年节假日安排尚未公布"), None,
     "案件 P1 当前不需要裁量评估；陈述申辩期限至 2027-01-08（暂定：2027 年节假日安排尚未公布）届满前不得评估",
     "the statement window runs until 2027-01-08 (provisional); no assessment"),
    (NextStep("statement", None, "officer"), date(2026, 3, 9),
     "案件 P1 当前不需要裁量评估；尚有陈述申辩或听证申请未处理",
     "(case P1 needs no assessment now: a statement or hearing request is still unanswered; next step: statement)"),
    (NextStep("consent", None, "officer"), date(2026, 3, 9),
     "案件 P1 当前不需要裁量评估 (", "(case P1 needs no assessment now; next step: consent)"),
    (NextStep(None, None, None), date(2026, 3, 9), "案件 P1 当前不需要裁量评估 (",
     "(case P1 needs no assessment now; next step: none)"),
])
def test_the_refusal_joins_its_clauses_with_chinese_punctuation(owed: NextStep, ends: date | None, zh: str,
                                                                 en: str) -> None:
    text = not_assessable("P1", owed, ends)
    assert zh in text and en in text, text
    chinese = text[: text.index(" (")]
    assert " 陈述" not in chinese and " 尚有" not in chinese and " 尚未" not in chinese, text
    assert text.count("(") - text.count("(provisional)") == 1 and text.endswith(")"), text   # one English part
