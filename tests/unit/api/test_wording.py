"""What the applicants' pages say: Chinese only (issue 15)."""

from __future__ import annotations

import pytest

from credit.api.validation import uscc_problem
from credit.api.wording import for_public, form_problems
from credit.config import load_config
from credit.settings import Settings


@pytest.mark.parametrize("raw", ["9111010", "91110105MA0000010I", "91110105MA00000101", "91ABCDEFMA00000101"])
def test_uscc_refusals_on_the_page_are_chinese_with_full_width_punctuation(raw: str) -> None:
    said = for_public(uscc_problem(raw) or "")
    assert said and not any(c.isascii() and c.isalpha() and c not in "IOZSV" for c in said.replace(raw, "")), said
    assert "(" not in said and ")" not in said


def test_an_english_aside_goes_a_chinese_one_stays() -> None:
    assert for_public("已有尚未决定的移出申请（申请编号 3，2026-07-21 收到），不重复受理 (application 3 is pending)") == \
        "已有尚未决定的移出申请（申请编号 3，2026-07-21 收到），不重复受理"
    assert for_public("unknown roster 'x' (abnormal / abnormal_status / serious)") == "请求未能处理，请核对填写的内容"


def test_form_problems_name_the_field_in_chinese() -> None:
    errors = [{"loc": ("grounds",), "type": "string_too_short", "msg": "String should have at least 1 character"},
              {"loc": ("documents", 3), "type": "string_too_long", "msg": "String should have at most 200 characters"}]
    assert form_problems(errors) == "申请理由未填写；证明材料过长"


def test_every_removal_the_rules_know_has_a_chinese_hint_for_the_public() -> None:
    settings = Settings()
    hints = load_config("rosters", settings)["public_removal_hints"]
    rules = load_config("rules", settings)["rules"]
    removable = {(r["roster"], r["removes"]) for r in rules.values()
                 if r.get("action") == "remove" and r.get("roster") in ("abnormal", "abnormal_status")}
    assert removable and all(cause in hints[roster] for roster, cause in removable), removable
    texts = [t for v in hints.values() for t in (v.values() if isinstance(v, dict) else [v])]
    assert all(not any(c.isascii() and c.isalpha() for c in t) for t in texts)


def test_a_received_date_after_the_data_reads_as_a_sentence_in_both_languages() -> None:
    """``credit repair apply`` and ``POST /v1/bureau/repair-applications`` said, with no night
    published, ``收到日期 2026-07-15 ：尚无…`` (a stray space) and ``(--received is no night has been
    published yet: …)``: the option, then a sentence about nights that does not follow from it."""
    from datetime import date

    from credit.api.validation import received_without_data_problem

    none_yet = received_without_data_problem(date(2026, 7, 15), None, "--received")
    assert none_yet is not None and none_yet.startswith("收到日期 2026-07-15：尚无已发布的批次，无法核对名录"), none_yet
    assert "(--received 2026-07-15: no night has been published yet: " in none_yet, none_yet
    # a day after the latest night is checked against that night's rosters (the counter's morning after)
    assert received_without_data_problem(date(2026, 7, 15), date(2026, 7, 14), "received_on") is None
    assert received_without_data_problem(date(2026, 7, 14), date(2026, 7, 14), "received_on") is None
