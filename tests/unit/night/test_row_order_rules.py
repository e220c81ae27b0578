"""Rows whose dates or years say two things that cannot both be true are quarantined, each for
one precise reason (contracts.md §1: quarantine what is not unambiguous): a penalty fulfilled,
restricted or revoked before it was decided, an assessment or report year the night has not
reached. A row already held for a malformed or future date is not blamed a second time."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa

from credit.contract.sources import SOURCES
from credit.night import normalise, quality
from credit.settings import bundled
from tests.dropkit import code

NIGHT = date(2026, 7, 13)
USCC = code()
PEN = SOURCES["penalties"]


def _penalty(case: str, **over: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "case_no": case, "uscc": USCC, "decided_on": "2026-03-02", "doc_no": "杭市监处罚〔2026〕1号",
        "category": "other", "measures": "fine", "fine_amount": "1000", "heavier": "false",
        "fulfilled_on": None, "restricted_until": None, "revoked_on": None}
    row.update(over)
    return row


def _rules(source: str, rows: list[dict[str, str | None]], night: date = NIGHT) -> list[str]:
    frame = pd.DataFrame(rows, columns=SOURCES[source].column_names).astype(normalise.ARROW_STRING)
    checked = quality.check_rows(frame, SOURCES[source], night, bundled("expectations") / f"{source}.json")
    _, rules = checked.found.joined()
    return [str(r) for r in rules]


def test_a_penalty_cannot_be_fulfilled_restricted_or_revoked_before_it_was_decided() -> None:
    rules = _rules("penalties", [
        _penalty("ok", fulfilled_on="2026-03-02", restricted_until="2026-09-01", revoked_on="2026-05-01"),
        _penalty("paid-before", fulfilled_on="2026-03-01"),
        _penalty("ends-before", restricted_until="2025-12-31"),
        _penalty("revoked-before", revoked_on="2026-01-15"),
    ])
    assert rules == ["", "not_before", "not_before", "not_before"]


def test_a_malformed_or_future_date_is_held_for_its_own_reason_only() -> None:
    rules = _rules("penalties", [
        _penalty("future", decided_on="2026-12-02", fulfilled_on="2025-06-18"),
        _penalty("no-such-day", decided_on="2026-02-30", fulfilled_on="2025-09-28"),
    ])
    assert rules == ["date_not_after_night", "date_exists"]


def test_a_year_the_night_has_not_reached_is_held() -> None:
    tax = {"uscc": USCC, "tax_credit_grade": "A", "abnormal_taxpayer_since": None,
           "arrears": None, "updated_on": "2026-04-01"}
    rules = _rules("tax", [{**tax, "assessed_year": "2025"}, {**tax, "assessed_year": "2099"}])
    assert rules == ["", "year_not_after_night"]
    report = {"uscc": USCC, "filed_on": "2026-05-01", "employees": "3", "revenue": None,
              "total_tax": None}
    assert _rules("annual_reports", [{**report, "report_year": "2025"}, {**report, "report_year": "2027"}]) == [
        "", "year_not_after_night"]


def test_an_annual_report_for_the_nights_own_year_is_held() -> None:
    # An annual report for year Y is filed from 1 January of Y+1 (domain.md §2; 企业信息公示暂行条例
    # art. 8): on a night of 2026 no report for 2026 can exist yet (s28drop gap 4).
    report = {"uscc": USCC, "filed_on": "2026-05-01", "employees": "3", "revenue": None, "total_tax": None}
    rows = [{**report, "report_year": "2025"}, {**report, "report_year": "2026"}, {**report, "report_year": "2027"}]
    assert _rules("annual_reports", rows) == ["", "year_not_closed", "year_not_after_night"]
    # On 1 January 2027 a 2026 report can exist (filed that day); one of 2027 cannot.
    on_new_year = [{**r, "filed_on": "2027-01-01"} for r in rows]
    assert _rules("annual_reports", on_new_year, night=date(2027, 1, 1)) == ["", "", "year_not_closed"]
    frame = pd.DataFrame(rows[1:2], columns=SOURCES["annual_reports"].column_names).astype(normalise.ARROW_STRING)
    found = quality.check_rows(frame, SOURCES["annual_reports"], NIGHT,
                               bundled("expectations") / "annual_reports.json").found
    reasons, _ = found.joined()
    assert "2027" in str(reasons[0]) and "report_year" in str(reasons[0])


def test_a_tax_level_for_the_nights_own_year_is_held() -> None:
    # A tax-and-fee credit level is the annual assessment of a year that is over (domain.md §11,
    # 纳税缴费信用管理办法): on a night of 2026 no level of 2026 can exist. An outsider's acceptance
    # pass (s35) found `…,2026,D,,0.00,2026-07-16` accepted on 2026-07-16 and the entity graded
    # TAX_GRADE D for 2026. An update dated after the night is held for that (its own rule).
    tax = {"uscc": USCC, "tax_credit_grade": "D", "abnormal_taxpayer_since": None, "arrears": "0.00"}
    rows = [{**tax, "assessed_year": "2025", "updated_on": "2026-07-13"},
            {**tax, "assessed_year": "2026", "updated_on": "2026-07-13"},
            {**tax, "assessed_year": "2027", "updated_on": "2026-07-13"},
            {**tax, "assessed_year": "2025", "updated_on": "2026-07-14"}]
    assert _rules("tax", rows) == ["", "assessment_year_not_over", "year_not_after_night", "date_not_after_night"]
    # From 1 January 2027 the level of 2026 can exist; one of 2027 cannot.
    assert _rules("tax", [{**r, "updated_on": "2027-01-01"} for r in rows[:3]], night=date(2027, 1, 1)) == [
        "", "", "assessment_year_not_over"]
    frame = pd.DataFrame(rows[1:2], columns=SOURCES["tax"].column_names).astype(normalise.ARROW_STRING)
    reasons, _ = quality.check_rows(frame, SOURCES["tax"], NIGHT, bundled("expectations") / "tax.json").found.joined()
    assert "assessed_year" in str(reasons[0]) and "2026 年度尚未结束" in str(reasons[0])
    assert "纳税缴费信用管理办法" in str(reasons[0])
    # A row of the year still running without a level is no assessment of it: its 非正常户 flag and
    # arrears are the taxpayer's state, graded as any other (an outside review of s35).
    flag = {**tax, "tax_credit_grade": None, "abnormal_taxpayer_since": "2026-05-01", "arrears": "1200.00"}
    assert _rules("tax", [{**flag, "assessed_year": "2026", "updated_on": "2026-07-13"}]) == [""]


def test_an_annual_report_filed_before_its_year_was_over_is_held() -> None:
    # Year Y's report is filed from 1 January of Y+1 (domain.md §2): dated earlier, the row cannot
    # be that year's report, and stored as filed it would count as filed in time (a roster listing
    # for the missing report would be revoked as unfounded). An outsider's acceptance pass found a
    # 2025 report dated 2025-06-30 accepted.
    report = {"uscc": USCC, "employees": "3", "revenue": None, "total_tax": None}
    rows = [{**report, "report_year": "2025", "filed_on": "2025-06-30"},
            {**report, "report_year": "2025", "filed_on": "2025-12-31"},
            {**report, "report_year": "2025", "filed_on": "2026-01-01"},
            {**report, "report_year": "2024", "filed_on": "2023-01-01"},
            {**report, "report_year": "2024", "filed_on": "2026-07-01"},   # late, but a filing of 2024
            {**report, "report_year": "2025", "filed_on": "2025/13/01"}]   # malformed: its own reason only
    assert _rules("annual_reports", rows) == ["before_year_end", "before_year_end", "", "before_year_end", "",
                                              "expect_column_values_to_match_regex(filed_on)"]
    frame = pd.DataFrame(rows[:1], columns=SOURCES["annual_reports"].column_names).astype(normalise.ARROW_STRING)
    reasons, _ = quality.check_rows(frame, SOURCES["annual_reports"], NIGHT,
                                    bundled("expectations") / "annual_reports.json").found.joined()
    assert "filed_on" in str(reasons[0]) and "1 月 1 日" in str(reasons[0])


def test_a_social_security_period_after_the_nights_month_is_held() -> None:
    # The grading reads the latest period (社保 arrears months): a period in the future would stand
    # in for the real one indefinitely. Like bank_credit's period (an outsider's acceptance pass).
    row = {"uscc": USCC, "insured_count": "5", "arrears": "0", "arrears_months": "0"}
    rows = [{**row, "period": "2026-06"}, {**row, "period": "2026-07"}, {**row, "period": "2026-08"},
            {**row, "period": "2099-01"}]
    assert _rules("social_security", rows) == ["", "", "month_not_after_night", "month_not_after_night"]


def test_an_inspectors_fields_are_gbt_4754_sections_in_any_letter_case() -> None:
    # contracts.md §1: fields are ';'-separated GB/T 4754 sections (门类, A–T). Lower case has one
    # reading and is written upper case; anything else ("xyz", a division "C13") is held, where it
    # used to be stored and qualified the inspector for nothing in a draw (credit.draws.inspectors).
    col = SOURCES["inspectors"].column("fields")
    written = normalise.canonical_column(pa.chunked_array([["c; f", "A;t", "xyz;C13", None]]), col)
    assert written.to_pylist() == ["C;F", "A;T", "XYZ;C13", None]
    base = {"inspector_id": "ZF1", "name": "张三", "department": "执法大队", "region_code": "330106",
            "active": "true", "conflicts": None}
    rows = [{**base, "fields": "C;F"}, {**base, "fields": "XYZ;C13"}, {**base, "fields": None}]
    assert _rules("inspectors", rows) == ["", "expect_column_values_to_match_regex(fields)", ""]
    measures = normalise.canonical_column(pa.chunked_array([["Fine; WARNING"]]), SOURCES["penalties"].column("measures"))
    assert measures.to_pylist() == ["fine;warning"]
