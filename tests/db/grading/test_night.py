"""grade_night and grade_of on a real PostgreSQL store (roster state from roster_entries_as_of)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.config import load_config
from credit.grading.read import grade_of
from credit.grading.report import collect, write_night_report
from credit.settings import Settings, get_settings
from tests.db.grading.helpers import NEXT, NIGHT, all_filed, grades, listed, night, reg, reports


def test_night_grades_operating_entities_only_with_roster_rules(engine: Engine, settings: Settings) -> None:
    with engine.begin() as c:
        for u in ("CLEAN", "GONE", "REVOKED", "ABN", "SER"):
            reg(c, u, status={"GONE": "cancelled", "REVOKED": "revoked"}.get(u, "operating"))
            all_filed(c, u)
        listed(c, "ABN", "abnormal")
        listed(c, "SER", "serious")
        listed(c, "GONE", "serious")
    summary = night(engine, settings)
    g = grades(engine)
    assert set(g) == {"CLEAN", "ABN", "SER"}          # cancelled / revoked entities are not graded
    assert g["CLEAN"][0] == "A" and g["CLEAN"][1][0]["code"] == "NO_ADVERSE"
    assert g["ABN"][0] == "C" and g["ABN"][1][0]["code"] == "ABNORMAL_ROSTER"
    assert g["SER"][0] == "D" and g["SER"][1][0]["code"] == "SERIOUS_LIST"
    assert summary["graded"] == 3 and summary["distribution"] == {"A": 1, "B": 0, "C": 1, "D": 1}
    json.dumps(summary)  # stored with the night: must be JSON-serialisable
    with engine.connect() as c:
        versions = c.execute(sa.text("select distinct config_version from grades")).scalars().all()
        run = c.execute(sa.text("select graded, config_version from grading_runs where night = :n"), {"n": NIGHT}).one()
    assert versions == [summary["config_version"]] and run == (3, summary["config_version"])


def test_indicators_from_every_source(engine: Engine, settings: Settings) -> None:
    with engine.begin() as c:
        reg(c, "OPS")   # 2025 report missing, 2024 filed late: REPORTS_MISSING 15 + REPORTS_LATE 4
        reports(c, "OPS", {2023: "2024-06-28", 2024: "2025-08-01"})
        reg(c, "NEW", established="2026-01-10")   # nothing due yet; NEW_ENTITY 5
        reg(c, "PEN")
        all_filed(c, "PEN")
        c.execute(sa.text(
            "insert into penalties (case_no, uscc, decided_on, category, measures, fine_amount, heavier, fulfilled_on, "
            "first_night, last_night) values "
            "('p1', 'PEN', '2025-01-10', 'food_safety', array['fine'], 150000, false, '2025-02-01', '2026-07-01', '2026-07-01'),"
            "('p2', 'PEN', '2026-03-10', 'other', array['warning'], null, false, null, '2026-07-01', '2026-07-01'),"
            "('p3', 'PEN', '2022-01-10', 'other', array['fine'], 5000, true, null, '2026-07-01', '2026-07-01')"))
        reg(c, "FND")
        all_filed(c, "FND")
        c.execute(sa.text(
            "insert into findings (finding_id, uscc, kind, found_on, first_night, last_night) values "
            "('f1', 'FND', 'unreachable_address', '2026-01-05', '2026-07-01', '2026-07-01'),"
            "('f2', 'FND', 'contact_restored', '2026-02-05', '2026-07-01', '2026-07-01'),"
            "('f3', 'FND', 'false_disclosure', '2026-03-05', '2026-07-01', '2026-07-01')"))
        c.execute(sa.text(
            "insert into inspection_results (task_id, uscc, inspected_on, result_code, first_night, last_night) values "
            "('t1', 'FND', '2026-04-01', 'not_disclosed', '2026-07-01', '2026-07-01'),"
            "('t2', 'FND', '2026-05-01', 'normal', '2026-07-01', '2026-07-01')"))
        reg(c, "TAX")
        all_filed(c, "TAX")
        c.execute(sa.text(
            "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, last_night) "
            "values ('TAX', 2024, 'D', '2025-01-01', 0, '2026-07-01', '2026-07-01'),"
            "       ('TAX', 2025, 'C', null, 500, '2026-07-01', '2026-07-01')"))
        c.execute(sa.text(
            "insert into social_security (uscc, period, insured_count, arrears, arrears_months, first_night, last_night) "
            "values ('TAX', '2025-06', 40, 0, 0, '2026-07-01', '2026-07-01'),"
            "       ('TAX', '2026-06', 4, 900, 3, '2026-07-01', '2026-07-01')"))
    night(engine, settings)
    g = grades(engine)

    def pts(u: str) -> dict[str, Any]:
        return {r["code"]: (r["value"], r["contribution"]) for r in g[u][1]}

    assert pts("OPS") == {"REPORTS_MISSING": (1, 15), "REPORTS_LATE": (1, 4)} and g["OPS"][0] == "A"
    assert pts("NEW") == {"NEW_ENTITY": (True, 5)}
    # p2 is warning-only (never published), p3 is older than 3 years: only p1 counts
    assert pts("PEN") == {"PENALTIES": (1, 8), "FINES": (150000, 8)}
    # f1 was cured by f2; f3 is open; t1 is adverse, t2 normal
    assert pts("FND") == {"OPEN_FINDINGS": (1, 15), "INSPECTION_ADVERSE": (1, 8)}
    # latest assessment year (2025) counts: C 10, arrears 500 → 5; headcount 40 → 4 is a 90% drop → 10;
    # 3 months of social arrears → 12; 2024's 非正常户 is history
    assert pts("TAX") == {"TAX_GRADE": ("C", 10), "TAX_ARREARS": (500, 5), "INSURED_DROP": (0.9, 10),
                          "SOCIAL_ARREARS": (3, 12)}
    assert g["TAX"][0] == "B"


def test_tax_level_d_alone_grades_c_from_the_store(engine: Engine, settings: Settings) -> None:
    # domain.md §11: level D is a strong input to tier C/D; its 25 points alone were B until
    # grading-2026.6's rule TAX_LEVEL_D (floor C). The latest assessment year is the one read.
    with engine.begin() as c:
        for u in ("TAXD", "TAXC"):
            reg(c, u)
            all_filed(c, u)
        c.execute(sa.text(
            "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, last_night) "
            "values ('TAXD', 2025, 'D', null, 0, '2026-07-01', '2026-07-01'),"
            "       ('TAXC', 2024, 'D', null, 0, '2026-07-01', '2026-07-01'),"
            "       ('TAXC', 2025, 'C', null, 0, '2026-07-01', '2026-07-01')"))
    night(engine, settings)
    g = grades(engine)
    assert g["TAXD"][0] == "C" and [r["code"] for r in g["TAXD"][1]] == ["TAX_LEVEL_D", "TAX_GRADE"]
    assert g["TAXC"][0] == "A" and [r["code"] for r in g["TAXC"][1]] == ["TAX_GRADE"]   # 2024's D is history


def test_history_transitions_relations_and_grade_of(engine: Engine, settings: Settings) -> None:
    with engine.begin() as c:
        for u in ("K1", "K2", "K3"):
            reg(c, u, rep="rep-k" if u != "K3" else "rep-x")
            all_filed(c, u)
        reg(c, "SAMEREP", rep="rep-s")
        all_filed(c, "SAMEREP")
        reg(c, "SERIOUS", rep="rep-s", status="revoked")   # not graded, but its serious listing counts
        listed(c, "SERIOUS", "serious")
    night(engine, settings)
    assert grades(engine)["SAMEREP"][0] == "B"   # RELATED_SERIOUS floor B
    with engine.begin() as c:
        listed(c, "K1", "serious", on="2026-07-16")
        c.execute(sa.text("update registration set status = 'cancelled' where uscc = 'K3'"))
    night(engine, settings, NEXT)
    g2 = grades(engine, NEXT)
    assert g2["K1"][0] == "D" and "K3" not in g2
    # K2's legal representative is K1's: K1 tonight is D, but related_d reads the previous night (A) → no points yet
    assert all(r["code"] != "RELATED_D" for r in g2["K2"][1])
    with engine.connect() as c:
        moves = {(f, t): n for f, t, n in c.execute(sa.text(
            "select from_grade, to_grade, count from grade_transitions where night = :n"), {"n": NEXT})}
        first = {(f, t): n for f, t, n in c.execute(sa.text(
            "select from_grade, to_grade, count from grade_transitions where night = :n"), {"n": NIGHT})}
        # K2 shares K1's legal representative, now on the serious list tonight: RELATED_SERIOUS lifts it to B
        assert moves == {("A", "D"): 1, ("A", "B"): 1, ("A", "-"): 1, ("B", "B"): 1}
        assert first == {("-", "A"): 3, ("-", "B"): 1}
        now = grade_of(c, "K1", date(2026, 12, 31), settings)
        then = grade_of(c, "k1 ", NIGHT, settings)
        assert grade_of(c, "K1", date(2026, 7, 1), settings) is None
        assert grade_of(c, "SERIOUS", NEXT, settings) is None
    assert now is not None and then is not None
    assert (now["grade"], now["night"], now["label"], now["local_label"]) == ("D", "2026-07-16", "信用风险高", "信用风险高")
    assert now["reasons"][0]["code"] == "SERIOUS_LIST" and now["to_improve"][0]["code"] == "SERIOUS_LIST"
    assert set(now["reasons"][0]) >= {"code", "text", "value", "contribution"}
    assert (then["grade"], then["night"], then["to_improve"]) == ("A", "2026-07-15", [])
    # a third night: K2 now sees K1's D of the previous night
    night(engine, settings, date(2026, 7, 17))
    assert any(r["code"] == "RELATED_D" for r in grades(engine, date(2026, 7, 17))["K2"][1])


def test_heavier_penalty_advice_offers_repair_only_where_the_penalty_allows_it(engine: Engine,
                                                                              settings: Settings) -> None:
    # 45号令 art. 14 para. 3 (domain.md §5.2, §6): a penalty restricting business is never stopped
    # early, so credit repair is not the way out; its publicity ends with its window. A heavier fine
    # alone (order 107 严重) can be repaired after a year. An outsider's pass (s35) found
    # "公示期满或信用修复后不再计入" for both.
    with engine.begin() as c:
        for u in ("FINED", "RESTRICTED"):
            reg(c, u)
            all_filed(c, u)
        c.execute(sa.text(
            "insert into penalties (case_no, uscc, decided_on, doc_no, category, measures, fine_amount, heavier, "
            "fulfilled_on, first_night, last_night) values "
            "('h1', 'FINED', '2026-03-10', '京市监罚〔2026〕1号', 'other', array['fine'], 200000, true, null, "
            "'2026-03-20', '2026-07-01'),"
            "('h2', 'RESTRICTED', '2026-03-10', '京市监罚〔2026〕2号', 'other', array['fine', 'business_restricted'], "
            "50000, true, null, '2026-03-20', '2026-07-01')"))
    night(engine, settings)
    with engine.connect() as c:
        fined, restricted = grade_of(c, "FINED", NIGHT, settings), grade_of(c, "RESTRICTED", NIGHT, settings)
    assert fined is not None and restricted is not None

    def advice(g: dict[str, Any]) -> str:
        return str(next(i["change"] for i in g["to_improve"] if i["code"] == "HEAVIER_PENALTY"))

    # published from the first night (2026-03-20): repair from the day after a year, ends after 3 years
    assert advice(fined) == ("京市监罚〔2026〕1号：履行处罚决定、消除影响，自 2027-03-21 起可申请信用修复，"
                             "信用修复后或公示期满（2029-03-20）后不再计入（《市场监督管理信用修复管理办法》总局令第107号；"
                             "总局令第45号第十四条）")
    text = advice(restricted)
    assert text.startswith("京市监罚〔2026〕2号：") and "不得提前停止公示（总局令第45号第十四条第三款）" in text
    assert text.endswith("不适用信用修复，公示期满（2029-03-20）后不再计入")
    assert "可申请信用修复" not in text and "信用修复后" not in text


def test_distribution_jump_warns_but_does_not_stop_the_night(engine: Engine, settings: Settings) -> None:
    with engine.begin() as c:
        for i in range(10):
            reg(c, f"J{i}")
            all_filed(c, f"J{i}")
    first = night(engine, settings)
    assert first["warnings"] == []
    with engine.begin() as c:   # a "broken source" puts half the entities on the abnormal roster overnight
        for i in range(6):
            listed(c, f"J{i}", "abnormal", on="2026-07-16")
    second = night(engine, settings, NEXT)
    assert second["graded"] == 10 and second["distribution"]["C"] == 6
    text = " ".join(second["warnings"])
    assert "expect_column_values_to_be_between" in text and "A:" in text and "C:" in text
    assert "expect_column_pair_values_a_to_be_greater_than_b" in text   # C share 0.6 > max_share C 0.5
    # The report page shows these to the bureau in Chinese (the page is Chinese throughout), the
    # expectation in brackets for the operator (outsider's pass bb5: GX's English alone)
    jump = next(w for w in second["warnings"] if "jump" in w)
    assert jump.startswith("等级占比较上一已分类批次变动超过 5%：") and "C 今晚 60.00%，上一批次 0.00%" in jump
    over = next(w for w in second["warnings"] if "greater_than_b" in w)
    assert over.startswith("等级占比超过配置上限：") and "C 今晚 60.00%（上限 50.00%）" in over
    with engine.connect() as c:
        stored = c.execute(sa.text("select warnings from grading_runs where night = :n"), {"n": NEXT}).scalar()
    assert stored == second["warnings"]


def test_report_is_written_self_contained(engine: Engine, settings: Settings) -> None:
    with engine.begin() as c:
        reg(c, "R1", region="110105", industry="C13")
        reg(c, "R2", region="310101", industry="F51")
        all_filed(c, "R1")
    summary = night(engine, settings)
    assert "report" not in summary   # the page is written after the commit, from what was committed
    path = write_night_report(engine, settings, NIGHT)
    assert path == settings.reports_dir / "2026-07-15" / "index.html" and path.is_file()
    html = path.read_text(encoding="utf-8")
    assert "<svg" in html and "110105" in html and "310101" in html
    assert "<script" not in html.lower() and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html


def test_a_penalty_heavier_by_its_measure_grades_c_without_the_drop_s_flag(engine: Engine, settings: Settings) -> None:
    # domain.md §4 (44号令 art. 2 items 2–3): a suspension, restriction, closure, practice ban,
    # downgrading or licence revocation is a heavier penalty whatever the drop's `heavier` flag says
    # (that flag covers item 1, the 从重 fine): rosters.yaml heavier_measures, read by the serious
    # list's proposals and the publicity classes. The grading read the flag alone, so a suspended
    # entity graded A while the serious-list procedure opened for it (outsider's pass bb5).
    with engine.begin() as c:
        for u in ("SUSPENDED", "FLAGGED"):
            reg(c, u)
            all_filed(c, u)
        c.execute(sa.text(
            "insert into penalties (case_no, uscc, decided_on, doc_no, category, measures, fine_amount, heavier, "
            "fulfilled_on, first_night, last_night) values "
            "('m1', 'SUSPENDED', '2026-03-10', '京市监罚〔2026〕3号', 'quality_special_equipment', array['suspension'], "
            "null, false, '2026-03-12', '2026-03-20', '2026-07-01'),"
            "('m2', 'FLAGGED', '2026-03-10', '京市监罚〔2026〕4号', 'quality_special_equipment', array['suspension'], "
            "null, true, '2026-03-12', '2026-03-20', '2026-07-01')"))
    night(engine, settings)
    g = grades(engine)
    for u in ("SUSPENDED", "FLAGGED"):
        assert g[u][0] == "C", u
        assert (g[u][1][0]["code"], g[u][1][0]["value"]) == ("HEAVIER_PENALTY", 1), u
    with engine.connect() as c:
        suspended = grade_of(c, "SUSPENDED", NIGHT, settings)
    assert suspended is not None
    advice = next(i["change"] for i in suspended["to_improve"] if i["code"] == "HEAVIER_PENALTY")
    assert advice.startswith("京市监罚〔2026〕3号：")   # the per-penalty advice names this penalty too


def test_a_tax_row_without_a_level_keeps_the_latest_level(engine: Engine, settings: Settings) -> None:
    # contracts.md §1 / the drop's checks: a row of the night's own year is accepted when it carries
    # no level (its 非正常户 flag and arrears are the taxpayer's state). The latest level is still
    # the last year assessed (domain.md §11): 2025's D must not vanish behind 2026's empty level.
    with engine.begin() as c:
        reg(c, "TAXLATE")
        all_filed(c, "TAXLATE")
        c.execute(sa.text(
            "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, last_night) "
            "values ('TAXLATE', 2025, 'D', null, 0, '2026-07-01', '2026-07-01'),"
            "       ('TAXLATE', 2026, null, null, 300, '2026-07-01', '2026-07-01')"))
    night(engine, settings)
    g = grades(engine)["TAXLATE"]
    assert g[0] == "C" and [(r["code"], r["value"]) for r in g[1]] == [
        ("TAX_LEVEL_D", "D"), ("TAX_GRADE", "D"), ("TAX_ARREARS", 300)]   # arrears: the latest row's


def test_a_registered_change_of_address_cures_an_unreachable_finding(engine: Engine, settings: Settings) -> None:
    # domain.md §3.3, §3.4 (68号令 art. 14; 69号令 art. 18): an entity found unreachable is cured by
    # contact restored *or* a registered change of address (已变更登记住所) — the rosters remove it on
    # either (view cure_events). The grading knew only the finding, so the moved entity kept
    # OPEN_FINDINGS (核查发现问题尚未纠正（无法联系…）, 15 points) for three years after its removal.
    with engine.begin() as c:
        for u in ("MOVED", "STAYED", "MOVEDBEFORE"):
            reg(c, u)
            all_filed(c, u)
            c.execute(sa.text(
                "insert into registration_history (night, change, uscc, name, entity_kind, region_code, established_on, "
                "status, address, updated_at) values ('2026-01-05', 'new', :u, :u, 'enterprise', '110105', "
                "'2020-03-01', 'operating', '北京市朝阳区旧址路1号', '2026-01-05')"), {"u": u})
            c.execute(sa.text(
                "insert into findings (finding_id, uscc, kind, found_on, first_night, last_night) values "
                "(:f, :u, 'unreachable_address', '2026-03-02', '2026-03-02', '2026-03-02')"), {"f": f"f-{u}", "u": u})
        for u, on in (("MOVED", "2026-04-10"), ("MOVEDBEFORE", "2026-02-10")):
            c.execute(sa.text(
                "insert into registration_history (night, change, uscc, name, entity_kind, region_code, established_on, "
                "status, address, updated_at) values (cast(:n as date), 'changed', :u, :u, 'enterprise', '110105', "
                "'2020-03-01', 'operating', '北京市朝阳区新址路9号', cast(:n as date))"), {"n": on, "u": u})
    night(engine, settings)
    g = grades(engine)
    assert g["MOVED"][0] == "A" and [r["code"] for r in g["MOVED"][1]] == ["NO_ADVERSE"]
    for u in ("STAYED", "MOVEDBEFORE"):   # no change, or one before the finding: still open
        assert [(r["code"], r["value"]) for r in g[u][1]] == [("OPEN_FINDINGS", 1)], u


def test_an_ordered_period_ending_on_a_rest_day_is_not_overdue_before_it_rolls(engine: Engine,
                                                                              settings: Settings) -> None:
    # domain.md §3.2, §12, §13 ex. 2 (民法典 art. 203): `ordered_disclosure_overdue` dates the ordered
    # period's last day; one on a rest day ends the period on the next working day, and the entity
    # may disclose until then — the rosters wait for that night (credit.rosters.decide). The grading
    # counted the finding as 逾期未公示 (OPEN_FINDINGS, 15 points) from the holiday itself.
    with engine.begin() as c:
        for u, found in (("HOLIDAY", "2026-10-01"), ("WORKDAY", "2026-09-30")):
            reg(c, u)
            all_filed(c, u)
            c.execute(sa.text(
                "insert into findings (finding_id, uscc, kind, found_on, first_night, last_night) values "
                "(:f, :u, 'ordered_disclosure_overdue', :d, '2026-10-01', '2026-10-01')"),
                {"f": f"o-{u}", "u": u, "d": found})
    for d in (date(2026, 10, 3), date(2026, 10, 7), date(2026, 10, 8)):
        night(engine, settings, d)
    for d, holiday in ((date(2026, 10, 3), []), (date(2026, 10, 7), []), (date(2026, 10, 8), [("OPEN_FINDINGS", 1)])):
        g = grades(engine, d)
        assert [(r["code"], r["value"]) for r in g["HOLIDAY"][1] if r["code"] != "NO_ADVERSE"] == holiday, d
        assert [(r["code"], r["value"]) for r in g["WORKDAY"][1]] == [("OPEN_FINDINGS", 1)], d


def test_an_entity_no_longer_graded_has_no_tier_after_it(engine: Engine, settings: Settings) -> None:
    # issue 5 / domain.md §7: cancelled, revoked and moved-out entities are not graded. grade_of
    # answered a cancelled entity's last tier for every later date (`credit status --as-of`, `credit
    # grades show`, the bureau's tier route), as if it were still its tier; `credit grades show`
    # itself says "no grade …: not operating". Before the cancellation the tier stands.
    with engine.begin() as c:
        for u in ("STAYS", "LEAVES"):
            reg(c, u)
            all_filed(c, u)
    night(engine, settings)
    with engine.begin() as c:
        c.execute(sa.text("update registration set status = 'cancelled' where uscc = 'LEAVES'"))
    night(engine, settings, NEXT)
    with engine.connect() as c:
        before, after, later = grade_of(c, "LEAVES", NIGHT, settings), grade_of(c, "LEAVES", NEXT, settings), grade_of(c, "LEAVES", date.max, settings)
        stays = grade_of(c, "STAYS", date(2026, 12, 31), settings)
    assert before is not None and (before["grade"], before["night"]) == ("A", "2026-07-15")
    assert after is None and later is None
    assert stays is not None and (stays["grade"], stays["night"]) == ("A", "2026-07-16")


def test_the_look_backs_end_at_24_00_on_the_corresponding_day(engine: Engine, settings: Settings) -> None:
    # domain.md §12 (民法典 arts. 201, 202): N years from a day end at 24:00 on the corresponding day
    # ("满3年" from 2026-07-14 ends at 24:00 on 2029-07-14). A finding of 2023-07-15 is within the
    # 3-year look-back (grading.yaml finding_years) on 2026-07-15 and leaves it on 07-16; a spot check
    # of 2024-07-15 within the 2 years (inspection_years) likewise. Both left a day early.
    with engine.begin() as c:
        reg(c, "OLD")
        all_filed(c, "OLD")
        c.execute(sa.text(
            "insert into findings (finding_id, uscc, kind, found_on, first_night, last_night) values "
            "('old-f', 'OLD', 'unreachable_address', '2023-07-15', '2023-07-15', '2023-07-15')"))
        c.execute(sa.text(
            "insert into inspection_results (task_id, uscc, inspected_on, result_code, first_night, last_night) values "
            "('old-t', 'OLD', '2024-07-15', 'not_disclosed', '2024-07-15', '2024-07-15')"))
    night(engine, settings)
    night(engine, settings, NEXT)
    assert [(r["code"], r["value"]) for r in grades(engine)["OLD"][1]] == [("OPEN_FINDINGS", 1), ("INSPECTION_ADVERSE", 1)]
    assert [r["code"] for r in grades(engine, NEXT)["OLD"][1]] == ["NO_ADVERSE"]


def test_the_spot_check_advice_says_when_each_result_stops_counting(engine: Engine, settings: Settings) -> None:
    # issue 5: for an applicant, the facts whose change would move the grade up. INSPECTION_ADVERSE
    # counts every adverse result of the look-back (grading.yaml inspection_years: 2), whatever a
    # later inspection finds; its advice said "整改后在下次抽查中未发现问题" — a normal result in
    # the next spot check — which changes nothing (t3 below is such a result). The advice names
    # each result counted and the day it stops counting (24:00 on the corresponding day, §12).
    with engine.begin() as c:
        reg(c, "SPOT")
        all_filed(c, "SPOT")
        c.execute(sa.text(
            "insert into inspection_results (task_id, uscc, inspected_on, result_code, first_night, last_night) values "
            "('t1', 'SPOT', '2026-04-01', 'not_disclosed', '2026-07-01', '2026-07-01'),"
            "('t2', 'SPOT', '2024-07-20', 'unreachable', '2026-07-01', '2026-07-01'),"
            "('t3', 'SPOT', '2026-05-01', 'normal', '2026-07-01', '2026-07-01')"))
        c.execute(sa.text(
            "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, last_night) "
            "values ('SPOT', 2025, 'C', null, 0, '2026-07-01', '2026-07-01')"))
    night(engine, settings)
    with engine.connect() as c:
        g = grade_of(c, "SPOT", NIGHT, settings)
    assert g is not None and g["grade"] == "B"
    assert [(i["code"], i["change"]) for i in g["to_improve"]] == [
        ("INSPECTION_ADVERSE", "t2（2024-07-20，通过登记的住所（经营场所）无法联系）：自 2026-07-21 起不再计入；"
                               "t1（2026-04-01，未按规定公示应当公示的信息）：自 2028-04-02 起不再计入"
                               "（抽查检查发现问题的结果自检查之日起计入2年）")]


def test_an_empty_latest_cell_hides_no_earlier_fact(engine: Engine, settings: Settings) -> None:
    # contracts.md §1: empty means unknown, not "none". The latest period with an empty cell must not
    # hide what the period before reported (outsider's pass): each field is the latest period's
    # that carries it, as the tax level already was (domain.md §11).
    with engine.begin() as c:
        for u in ("BANKGAP", "SOCGAP", "TAXGAP"):
            reg(c, u)
            all_filed(c, u)
        c.execute(sa.text(   # June in default, 120 days overdue; July's report leaves both empty
            "insert into bank_credit (uscc, period, lenders, max_overdue_days, in_default, first_night, last_night) "
            "values ('BANKGAP', '2026-06', 1, 120, true, '2026-07-01', '2026-07-01'),"
            "       ('BANKGAP', '2026-07', 1, null, null, '2026-07-01', '2026-07-01')"))
        c.execute(sa.text(   # 40 insured a year before June's 4, three months owed; July's period empty
            "insert into social_security (uscc, period, insured_count, arrears, arrears_months, first_night, last_night) "
            "values ('SOCGAP', '2025-06', 40, 0, 0, '2026-07-01', '2026-07-01'),"
            "       ('SOCGAP', '2026-06', 4, 900, 3, '2026-07-01', '2026-07-01'),"
            "       ('SOCGAP', '2026-07', null, null, null, '2026-07-01', '2026-07-01')"))
        c.execute(sa.text(   # 2025's arrears; 2026's row carries neither a level nor an amount
            "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, last_night) "
            "values ('TAXGAP', 2025, 'B', null, 300, '2026-07-01', '2026-07-01'),"
            "       ('TAXGAP', 2026, null, null, null, '2026-07-01', '2026-07-01')"))
    night(engine, settings)
    g = grades(engine)

    def pts(u: str) -> dict[str, Any]:
        return {r["code"]: (r["value"], r["contribution"]) for r in g[u][1]}

    assert pts("BANKGAP") == {"BANK_DEFAULT": (True, 30), "BANK_OVERDUE": (120, 25)} and g["BANKGAP"][0] == "C"
    assert pts("SOCGAP") == {"SOCIAL_ARREARS": (3, 12), "INSURED_DROP": (0.9, 10)} and g["SOCGAP"][0] == "B"
    assert pts("TAXGAP") == {"TAX_ARREARS": (300, 5)}   # level B scores nothing


def test_a_tax_level_one_year_before_the_latest_row_is_kept(engine: Engine, settings: Settings) -> None:
    # The latest row may be a year not yet assessed (no level): the year before it still counts
    # (domain.md §11: levels are assessed yearly). 2025's D behind 2026's empty row grades D.
    with engine.begin() as c:
        reg(c, "TAXKEPT")
        all_filed(c, "TAXKEPT")
        c.execute(sa.text(
            "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, last_night) "
            "values ('TAXKEPT', 2024, 'A', null, 0, '2026-07-01', '2026-07-01'),"
            "       ('TAXKEPT', 2025, 'D', null, 0, '2026-07-01', '2026-07-01'),"
            "       ('TAXKEPT', 2026, null, null, 0, '2026-07-01', '2026-07-01')"))
    night(engine, settings)
    g = grades(engine)["TAXKEPT"]
    assert ("TAX_GRADE", "D") in [(r["code"], r["value"]) for r in g[1]]


def test_a_tax_level_older_than_the_year_before_the_latest_row_is_not_graded(engine: Engine,
                                                                             settings: Settings) -> None:
    # A 2021 D behind 2022–2026 rows that carry no level is no current level: levels are assessed
    # yearly (domain.md §11), so years 2022–2025 without one mean the bureau has none, not 2021's.
    with engine.begin() as c:
        reg(c, "TAXOLD")
        all_filed(c, "TAXOLD")
        c.execute(sa.text(
            "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, last_night) "
            "values ('TAXOLD', 2021, 'D', null, 0, '2026-07-01', '2026-07-01')"))
        c.execute(sa.text(
            "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, last_night) "
            "values ('TAXOLD', :y, null, null, 0, '2026-07-01', '2026-07-01')"), [{"y": y} for y in range(2022, 2027)])
    night(engine, settings)
    g = grades(engine)["TAXOLD"]
    codes = [r["code"] for r in g[1]]
    assert "TAX_GRADE" not in codes and "TAX_LEVEL_D" not in codes, g


def test_the_heavier_penalty_advice_reads_the_caller_s_settings(engine: Engine, settings: Settings,
                                                                  tmp_path: Path) -> None:
    # The night grades with the service's settings (here a config folder whose rosters.yaml makes a
    # confiscation heavier); the advice on that grade must read the same heavier_measures, not those of
    # get_settings() (the bundled folder), where a confiscation is not heavier and the per-penalty
    # advice vanished behind the configured generic text.
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    rosters = conf / "rosters.yaml"
    text = rosters.read_text("utf-8")
    assert "heavier_measures: [qualification_downgrade," in text
    rosters.write_text(text.replace("heavier_measures: [qualification_downgrade,",
                                    "heavier_measures: [confiscation, qualification_downgrade,"), "utf-8")
    own = settings.model_copy(update={"config_dir": conf})
    with engine.begin() as c:
        reg(c, "WARNED")
        all_filed(c, "WARNED")
        c.execute(sa.text(
            "insert into penalties (case_no, uscc, decided_on, doc_no, category, measures, fine_amount, heavier, "
            "fulfilled_on, first_night, last_night) values "
            "('w1', 'WARNED', '2026-03-10', '京市监罚〔2026〕9号', 'other', array['confiscation', 'fine'], "
            "null, false, '2026-03-12', '2026-03-20', '2026-07-01')"))
    night(engine, own)
    with engine.connect() as c:
        warned = grade_of(c, "WARNED", NIGHT, own)
    assert warned is not None and warned["reasons"][0]["code"] == "HEAVIER_PENALTY", warned
    advice = next(i["change"] for i in warned["to_improve"] if i["code"] == "HEAVIER_PENALTY")
    assert advice.startswith("京市监罚〔2026〕9号："), advice


def _confiscation_heavier(settings: Settings, folder: Path) -> tuple[Settings, Path]:
    """``settings`` with a copy of its configuration under ``folder`` whose rosters.yaml makes a
    confiscation heavier (heavier_measures), and that file's path."""
    conf = folder / "config"
    shutil.copytree(settings.config_dir, conf)
    rosters = conf / "rosters.yaml"
    text = rosters.read_text("utf-8")
    assert "heavier_measures: [qualification_downgrade," in text
    rosters.write_text(text.replace("heavier_measures: [qualification_downgrade,",
                                    "heavier_measures: [confiscation, qualification_downgrade,"), "utf-8")
    return settings.model_copy(update={"config_dir": conf}), rosters


def _confiscated(engine: Engine) -> None:
    with engine.begin() as c:
        reg(c, "WARNED")
        all_filed(c, "WARNED")
        c.execute(sa.text(
            "insert into penalties (case_no, uscc, decided_on, doc_no, category, measures, fine_amount, heavier, "
            "fulfilled_on, first_night, last_night) values "
            "('w1', 'WARNED', '2026-03-10', '京市监罚〔2026〕9号', 'other', array['confiscation', 'fine'], "
            "null, false, '2026-03-12', '2026-03-20', '2026-07-01')"))


def test_the_advice_on_a_past_night_reads_the_rosters_yaml_it_graded_with(engine: Engine, settings: Settings,
                                                                           tmp_path: Path) -> None:
    # The night graded WARNED C for a confiscation, heavier by that night's rosters.yaml; the bureau
    # then takes confiscation out of heavier_measures. The grade of that night stands (ranges), and so
    # must the advice on it: the night counted that penalty (brief: every output records the config
    # version that produced it). Read with today's rosters.yaml the penalty was no longer found and
    # the per-penalty advice fell back to the generic text.
    own, rosters = _confiscation_heavier(settings, tmp_path)
    _confiscated(engine)
    night(engine, own)
    with engine.connect() as c:
        before = grade_of(c, "WARNED", NIGHT, own)
        recorded = c.execute(sa.text("select rosters_version, rosters_config -> 'heavier_measures' "
                                     "from grading_runs where night = :n"), {"n": NIGHT}).one()
    assert before is not None and before["reasons"][0]["code"] == "HEAVIER_PENALTY", before
    assert recorded[1][0] == "confiscation" and recorded[0] == before["rosters_version"]
    assert recorded[0] == load_config("rosters", own).version    # label@digest, as grading.yaml's
    rosters.write_text(rosters.read_text("utf-8").replace("heavier_measures: [confiscation, ",
                                                          "heavier_measures: ["), "utf-8")
    assert load_config("rosters", own).version != recorded[0]
    with engine.connect() as c:
        after = grade_of(c, "WARNED", NIGHT, own)
    assert after == before
    advice = next(i["change"] for i in after["to_improve"] if i["code"] == "HEAVIER_PENALTY")
    assert advice.startswith("京市监罚〔2026〕9号："), advice


def test_a_night_graded_before_0048_reads_today_s_rosters_yaml(engine: Engine, settings: Settings,
                                                                tmp_path: Path) -> None:
    # A night published before migration 0048 has no rosters.yaml stored (both columns NULL): its
    # advice reads the caller's rosters.yaml now, the only one there is, and says which one it read
    # (rosters_version) — an answer, never a traceback.
    own, _ = _confiscation_heavier(settings, tmp_path)
    _confiscated(engine)
    night(engine, own)
    with engine.begin() as c:
        c.execute(sa.text("update grading_runs set rosters_version = null, rosters_config = null"))
    with engine.connect() as c:
        today = grade_of(c, "WARNED", NIGHT, own)
        bundled = grade_of(c, "WARNED", NIGHT, settings)
    assert today is not None and bundled is not None
    assert today["rosters_version"] == load_config("rosters", own).version
    assert bundled["rosters_version"] == load_config("rosters", settings).version
    heavier = {g["rosters_version"]: next(i["change"] for i in g["to_improve"] if i["code"] == "HEAVIER_PENALTY")
               for g in (today, bundled)}
    assert heavier[today["rosters_version"]].startswith("京市监罚〔2026〕9号：")
    # The bundled rosters.yaml does not make a confiscation heavier: the configured text stands.
    assert heavier[bundled["rosters_version"]].startswith("履行处罚决定、消除影响")


def _history(c: sa.Connection, case_no: str, night_on: date, change: str) -> None:
    """The penalty's history row of ``night_on`` as the night's merge writes it (credit.night.merge):
    the row as the store holds it after that night."""
    c.execute(sa.text(
        "insert into penalties_history (night, change, case_no, uscc, decided_on, doc_no, category, measures, "
        "fine_amount, heavier, fulfilled_on) select :n, :ch, case_no, uscc, decided_on, doc_no, category, "
        "measures, fine_amount, heavier, fulfilled_on from penalties where case_no = :k"),
        {"n": night_on, "ch": change, "k": case_no})


def _published(engine: Engine, settings: Settings, d: date) -> None:
    """Night ``d`` graded and recorded as published (``night_runs``), as ``credit nightly`` ends a night."""
    night(engine, settings, d)
    with engine.begin() as c:
        c.execute(sa.text("insert into night_runs (night, manifest_digest, config_version, started_at, finished_at, "
                          "summary) values (:n, 'test', 'test', now(), now(), '{}'::jsonb)"), {"n": d})


def test_the_advice_on_a_past_night_reads_the_penalty_as_that_night_knew_it(engine: Engine,
                                                                            settings: Settings) -> None:
    # The night graded FINED C for a fine the drop flagged heavier (从重, domain.md §4 item 1); the
    # next night's drop corrects the flag. The grade of the first night stands, and so must the
    # advice on it: that night counted the penalty (every output re-derives from the input snapshot
    # that produced it). Read from the penalties table as it is now, the penalty was no longer
    # heavier and the per-penalty advice fell back to the configured generic text; read with the
    # publicity window the next night computed, it offered repair from 2026-06-21 and an end in 2027
    # (a general penalty's year) for a penalty the night counted as heavier (3 years, domain.md §6).
    with engine.begin() as c:
        reg(c, "FINED")
        all_filed(c, "FINED")
        c.execute(sa.text(
            "insert into penalties (case_no, uscc, decided_on, doc_no, category, measures, fine_amount, heavier, "
            "fulfilled_on, first_night, last_night) values "
            "('h1', 'FINED', '2026-03-10', '京市监罚〔2026〕1号', 'other', array['fine'], 200000, true, null, "
            "'2026-03-20', '2026-03-20')"))
        _history(c, "h1", date(2026, 3, 20), "new")
    _published(engine, settings, NIGHT)
    with engine.connect() as c:
        before = grade_of(c, "FINED", NIGHT, settings)
    assert before is not None and before["reasons"][0]["code"] == "HEAVIER_PENALTY", before
    with engine.begin() as c:   # the next night's drop: not 从重 after all
        c.execute(sa.text("update penalties set heavier = false, last_night = :n where case_no = 'h1'"), {"n": NEXT})
        _history(c, "h1", NEXT, "changed")
    _published(engine, settings, NEXT)
    with engine.connect() as c:
        after = grade_of(c, "FINED", NIGHT, settings)
        corrected = grade_of(c, "FINED", NEXT, settings)
    assert corrected is not None and "HEAVIER_PENALTY" not in [r["code"] for r in corrected["reasons"]], corrected
    assert after == before
    advice = next(i["change"] for i in after["to_improve"] if i["code"] == "HEAVIER_PENALTY")
    assert advice.startswith("京市监罚〔2026〕1号：") and "公示期满（2029-03-20）" in advice, advice


def test_the_night_s_page_written_again_reads_the_grading_yaml_it_graded_with(engine: Engine, settings: Settings,
                                                                             tmp_path: Path) -> None:
    # A page written again for a past night (ensure_report after a run that died before its page)
    # must be the page of that night: its tier labels and options from the grading.yaml the night
    # graded with (grading_runs.config), as the docstring promises "the same page". Read from today's
    # grading.yaml, a label renamed and the regions shown by name cut to one changed the old page.
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    own = settings.model_copy(update={"config_dir": conf})
    with engine.begin() as c:
        reg(c, "R1", region="110105")
        reg(c, "R2", region="310101")
        all_filed(c, "R1")
    night(engine, own)
    first = write_night_report(engine, own, NIGHT).read_bytes()
    grading = conf / "grading.yaml"
    text = grading.read_text("utf-8")
    assert "C: {label: 信用风险较高," in text and "top_regions: 20" in text
    grading.write_text(text.replace("C: {label: 信用风险较高,", "C: {label: 风险偏高,")
                       .replace("top_regions: 20", "top_regions: 1"), "utf-8")
    again = write_night_report(engine, own, NIGHT).read_bytes()
    assert again == first
    assert "信用风险较高" in again.decode("utf-8") and "风险偏高" not in again.decode("utf-8")
    # A night graded before grading_runs kept its grading.yaml: the caller's file, as grade_of reads it.
    with engine.begin() as c:
        c.execute(sa.text("update grading_runs set config = null where night = :n"), {"n": NIGHT})
    today = write_night_report(engine, own, NIGHT).read_text("utf-8")
    assert "风险偏高" in today and "信用风险较高" not in today


def test_the_heavier_penalty_advice_reads_the_caller_s_publicity_yaml(engine: Engine, settings: Settings,
                                                                      tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # The advice reads the penalty's publicity with the caller's settings (the API app's, the
    # command line's), as the rest of grade_of does: not with get_settings(), whose folder (here
    # CREDIT_CONFIG_DIR, a publicity.yaml without its version) is not the one the service runs with.
    # Before, the look-up of a grade with a heavier penalty failed with that folder's ConfigError.
    broken = tmp_path / "elsewhere"
    broken.mkdir()
    text = (settings.config_dir / "publicity.yaml").read_text("utf-8")
    (broken / "publicity.yaml").write_text(text.replace('version: "publicity-2026.3"', ""), "utf-8")
    with engine.begin() as c:
        reg(c, "FINED")
        all_filed(c, "FINED")
        c.execute(sa.text(
            "insert into penalties (case_no, uscc, decided_on, doc_no, category, measures, fine_amount, heavier, "
            "fulfilled_on, first_night, last_night) values "
            "('h1', 'FINED', '2026-03-10', '京市监罚〔2026〕1号', 'other', array['fine'], 200000, true, null, "
            "'2026-03-20', '2026-07-01')"))
    night(engine, settings)
    monkeypatch.setenv("CREDIT_CONFIG_DIR", str(broken))
    get_settings.cache_clear()
    try:
        with engine.connect() as c:
            fined = grade_of(c, "FINED", NIGHT, settings)
    finally:
        monkeypatch.delenv("CREDIT_CONFIG_DIR")
        get_settings.cache_clear()
    assert fined is not None
    advice = next(i["change"] for i in fined["to_improve"] if i["code"] == "HEAVIER_PENALTY")
    assert advice.startswith("京市监罚〔2026〕1号："), advice


def _inspection_history(c: sa.Connection, task_id: str, night_on: date, change: str) -> None:
    """The spot-check result's history row of ``night_on`` as the night's merge writes it
    (credit.night.merge): the row as the store holds it after that night ('dropped': as it was)."""
    c.execute(sa.text(
        "insert into inspection_results_history (night, change, task_id, uscc, inspected_on, result_code, result, "
        "inspector_ids, doc_no) select :n, :ch, task_id, uscc, inspected_on, result_code, result, inspector_ids, "
        "doc_no from inspection_results where task_id = :t"),
        {"n": night_on, "ch": change, "t": task_id})


def test_the_advice_on_a_past_night_reads_the_spot_checks_as_that_night_knew_them(engine: Engine,
                                                                                 settings: Settings) -> None:
    # The night graded SPOT B for two adverse spot-check results (INSPECTION_ADVERSE, domain.md §8);
    # the next night's drop corrects t1 to a normal result and no longer has t2 (a full file: dropped).
    # The first night's grade stands, and so must its advice (every output re-derives from the input
    # snapshot that produced it). Read from inspection_results as it is now, the advice found no
    # adverse result and fell back to the configured text ("整改后…"), which names neither.
    with engine.begin() as c:
        reg(c, "SPOT")
        all_filed(c, "SPOT")
        c.execute(sa.text(
            "insert into inspection_results (task_id, uscc, inspected_on, result_code, first_night, last_night) values "
            "('t1', 'SPOT', '2026-04-01', 'not_disclosed', '2026-07-01', '2026-07-01'),"
            "('t2', 'SPOT', '2024-07-20', 'unreachable', '2026-07-01', '2026-07-01')"))
        for t in ("t1", "t2"):
            _inspection_history(c, t, date(2026, 7, 1), "new")
        c.execute(sa.text(
            "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, last_night) "
            "values ('SPOT', 2025, 'C', null, 0, '2026-07-01', '2026-07-01')"))
    night(engine, settings)
    with engine.connect() as c:
        before = grade_of(c, "SPOT", NIGHT, settings)
    assert before is not None and before["grade"] == "B", before
    counted = ("t2（2024-07-20，通过登记的住所（经营场所）无法联系）：自 2026-07-21 起不再计入；"
               "t1（2026-04-01，未按规定公示应当公示的信息）：自 2028-04-02 起不再计入"
               "（抽查检查发现问题的结果自检查之日起计入2年）")
    assert [(i["code"], i["change"]) for i in before["to_improve"]] == [("INSPECTION_ADVERSE", counted)]
    with engine.begin() as c:   # the next night's drop: t1 was normal after all, t2 is gone
        c.execute(sa.text("update inspection_results set result_code = 'normal', last_night = :n where task_id = 't1'"),
                  {"n": NEXT})
        _inspection_history(c, "t1", NEXT, "changed")
        _inspection_history(c, "t2", NEXT, "dropped")
        c.execute(sa.text("delete from inspection_results where task_id = 't2'"))
    night(engine, settings, NEXT)
    with engine.connect() as c:
        after = grade_of(c, "SPOT", NIGHT, settings)
        corrected = grade_of(c, "SPOT", NEXT, settings)
    assert corrected is not None and "INSPECTION_ADVERSE" not in [r["code"] for r in corrected["reasons"]], corrected
    assert after == before


def test_a_past_night_s_page_counts_each_entity_where_it_was_registered_that_night(engine: Engine,
                                                                                   settings: Settings) -> None:
    # A night graded before migration 0030 stored no counts: its page, written again on a later day
    # (ensure_report), counts the night's grades per region and industry (report_counts.sql). With the
    # registration as it is now, an entity that moved to Shanghai the next night was counted there
    # on the first night's page, which the night itself would have counted in Chaoyang.
    with engine.begin() as c:
        reg(c, "MOVER", region="110105")
        all_filed(c, "MOVER")
        c.execute(sa.text(
            "insert into registration_history (night, change, uscc, name, entity_kind, region_code, industry_code, "
            "established_on, status) select '2026-07-01', 'new', uscc, name, entity_kind, region_code, industry_code, "
            "established_on, status from registration where uscc = 'MOVER'"))
    night(engine, settings)
    with engine.begin() as c:   # the next night's drop: moved to 310101, industry F
        c.execute(sa.text("update registration set region_code = '310101', industry_code = 'F51', last_night = :n "
                          "where uscc = 'MOVER'"), {"n": NEXT})
        c.execute(sa.text(
            "insert into registration_history (night, change, uscc, name, entity_kind, region_code, industry_code, "
            "established_on, status) select :n, 'changed', uscc, name, entity_kind, region_code, industry_code, "
            "established_on, status from registration where uscc = 'MOVER'"), {"n": NEXT})
    night(engine, settings, NEXT)
    with engine.begin() as c:   # the first night as graded before 0030: no stored counts
        c.execute(sa.text("delete from grade_counts where night = :n"), {"n": NIGHT})
    with engine.connect() as c:
        page = collect(c, NIGHT)
    assert [str(x).split()[0] for x in page.by_region.index] == ["110105"], page.by_region
    assert list(page.by_industry.index) == ["C"], page.by_industry
