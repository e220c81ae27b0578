"""Issue 13, the abnormal-roster cases 5, 6 and 8, the bases and the remedy statement (2026 calendar)."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa

from credit.rosters.deadlines import deadline_watch
from credit.rosters.export import export_frame, render
from credit.rosters.read import entity_rosters
from credit.rosters.repair import apply_for_removal, decide_objection, file_objection, import_decision
from tests.db.rosters.helpers import D, decisions, finding, night, reg, report

A = "91420106MA00000011"
B = "91420106MA00000022"
IND = "92420106MA00000033"
COOP = "93420106MA00000044"
WUCHANG = "420106"


def _quarantined_report(c, uscc: str, year: str, night_on: str, line: int = 7) -> None:  # type: ignore[no-untyped-def]
    c.execute(sa.text("""insert into quarantine (night, file, line, source, rule, reason, raw)
                         values (:n, 'annual_reports.csv', :l, 'annual_reports', 'date',
                                 'filed_on：日期格式不正确，应为 YYYY-MM-DD (date is not YYYY-MM-DD)', cast(:raw as jsonb))"""),
              {"n": D(night_on), "l": line,
               "raw": json.dumps({"uscc": uscc, "report_year": year, "filed_on": "2026-6-31"}, ensure_ascii=False)})


def test_item5_a_quarantined_report_holds_the_missing_report_listing(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # Issue 13 item 5: a report row of A held back in quarantine (as delivered: lower case, full-width
    # year) may be the filing, so the night does not list A; the deadline watch shows why A waits,
    # due 10 WD after 30 June (2026-07-14, domain.md §13 ex. 1). B, with nothing quarantined, is listed.
    with engine.begin() as c:
        reg(c, A, region=WUCHANG)
        reg(c, B, region=WUCHANG)
        _quarantined_report(c, A.lower(), "２０２５", "2026-06-20")
        night(c, settings, "2026-07-01")
        assert [d["uscc"] for d in decisions(c, action="include")] == [B]
        w = deadline_watch(c, D("2026-07-01"), 10, settings)
        held = w[w["uscc"] == A]
        assert held["kind"].tolist() == ["held: quarantined report"]
        assert held["due_date"].tolist() == [D("2026-07-14")] and not held["overdue"].iloc[0]
        assert "隔离区" in held["note"].iloc[0] and "annual_reports.csv:7" in held["ref"].iloc[0]
        # Review (users) item 4: the overview showed the reference as "quarantine 2026-06-20 annual_reports.csv:7".
        assert held["ref_label"].iloc[0] == "隔离区 2026-06-20 annual_reports.csv 第7行"
        assert held["authority"].iloc[0] == "武汉市武昌区市场监督管理局"
        # The row is delivered again, accepted, filed in time: A is never listed and stops waiting.
        report(c, A, 2025, "2026-06-29", first_night="2026-07-02")
        night(c, settings, "2026-07-02")
        assert [d["uscc"] for d in decisions(c, action="include")] == [B]
        assert A not in deadline_watch(c, D("2026-07-02"), 10, settings)["uscc"].tolist()


def _history(c, uscc: str, night_on: str, change: str, address: str) -> None:  # type: ignore[no-untyped-def]
    c.execute(sa.text("""insert into registration_history (night, change, uscc, name, entity_kind, region_code,
                         established_on, status, address, updated_at)
                         values (:n, :ch, :u, '武汉测试科技有限公司', 'enterprise', '420106', '2020-03-01',
                                 'operating', :a, :n)"""),
              {"n": D(night_on), "ch": change, "u": uscc, "a": address})


def test_item6_a_registered_change_of_address_cures_the_unreachable_listing(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # Issue 13 item 6, 68号令 art. 14, domain.md §3.3: listed 2026-03-02 as unreachable; address
    # changed (变更登记) 2026-04-10, application the same day → removed, due 5 WD later: Apr 13–17.
    with engine.begin() as c:
        reg(c, A, region=WUCHANG)
        _history(c, A, "2026-01-05", "new", "武汉市武昌区测试路1号")
        finding(c, "F1", A, "unreachable_address", "2026-03-02")
        night(c, settings, "2026-03-02")
        inc = decisions(c, action="include")[0]
        assert inc["decision_date"] == D("2026-03-02") and inc["cause_code"] == "unreachable"
        _history(c, A, "2026-04-10", "changed", "武汉市武昌区新址路9号")
        app = apply_for_removal(c, A, "abnormal", D("2026-04-10"), settings=settings)
        assert app["decide_by"] == "2026-04-17"
        night(c, settings, "2026-04-10")
        rm = decisions(c, action="remove")
        assert len(rm) == 1 and rm[0]["request_id"] == app["id"] and rm[0]["due_date"] == D("2026-04-17")
        assert rm[0]["reason"] == "已变更登记住所或重新取得联系" and rm[0]["decision_date"] <= D("2026-04-17")
        assert rm[0]["facts"]["cure_on"] == "2026-04-10"


def test_item8_individual_businesses_are_marked_for_false_information(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # Issue 13 item 8, 69号令 art. 14: 查实 Tue 2026-03-10 → marked, due 10 WD later (Mar 24).
    # Unreachable is art. 15 (not 13); restoration after re-filing art. 16; objections art. 19.
    with engine.begin() as c:
        reg(c, IND, kind="individual", region=WUCHANG, name="武昌区测试便利店")
        finding(c, "F1", IND, "false_disclosure", "2026-03-10")
        night(c, settings, "2026-03-10")
        mark = decisions(c, action="include")
        assert len(mark) == 1 and mark[0]["roster"] == "abnormal_status"
        assert mark[0]["cause_code"] == "false_disclosure" and mark[0]["rule_id"] == "ind.mark.false_disclosure"
        assert "第六十九号" not in mark[0]["basis"] and "第69号）第十四条" in mark[0]["basis"]
        assert mark[0]["due_date"] == D("2026-03-24")
        finding(c, "F2", IND, "unreachable_address", "2026-03-11")
        night(c, settings, "2026-03-11")
        unreach = decisions(c, action="include", cause_code="unreachable")[0]
        assert "第69号）第十五条" in unreach["basis"]


def test_farmer_coops_are_listed_under_their_own_rules(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # domain.md §2: co-ops file under 农民专业合作社年度报告公示办法; a missing report is listed under
    # its art. 10, not under 企业信息公示暂行条例 / 68号令.
    with engine.begin() as c:
        reg(c, COOP, kind="farmer_coop", region=WUCHANG, name="武昌区测试种植专业合作社")
        night(c, settings, "2026-07-01")
        d = decisions(c, action="include")[0]
        assert d["rule_id"] == "coop.include.annual_report_missing"
        assert "农民专业合作社年度报告公示办法" in d["basis"] and "第十条" in d["basis"]
        assert "企业信息公示暂行条例" not in d["basis"] and "第68号" not in d["basis"]


def test_authority_by_name_and_remedy_on_the_listing_status_and_export(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # Issue 13: the authority and 文号 from the division's name (420106 → 武汉市武昌区市场监督管理局,
    # 武昌市监信〔2026〕1号), and the remedy statement on the listing, in status and in the export.
    with engine.begin() as c:
        reg(c, A, region=WUCHANG)
        night(c, settings, "2026-07-01")
        d = decisions(c, action="include")[0]
        assert d["authority_name"] == "武汉市武昌区市场监督管理局" and d["decision_no"] == "武昌市监信〔2026〕1号"
        remedy = d["facts"]["remedy"]
        assert "六十日内向武汉市武昌区人民政府申请行政复议" in remedy and "六个月内" in remedy and "行政诉讼" in remedy
        entry = entity_rosters(c, A, D("2026-07-15"), settings)[0]
        assert entry["authority"] == "武汉市武昌区市场监督管理局" and entry["remedy"] == remedy
        frame = export_frame(c, "abnormal", D("2026-07-15"))
        rows = list(csv.reader(io.StringIO(render(frame, "csv").decode("utf-8-sig"))))
        assert rows[0] == ["uscc", "name", "roster", "cause_code", "cause", "basis", "included_on", "decision_no",
                           "authority", "state", "removed_on", "removal_reason", "remedy"]
        assert rows[1][8] == "武汉市武昌区市场监督管理局" and rows[1][-1] == remedy
        assert json.loads(render(frame, "json"))[0]["remedy"] == remedy


def test_objection_on_the_serious_list_cites_44_and_carries_the_remedy(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # Issue 13: an objection answered on the serious list cites 44号令, not 68号令; a refusal of
    # removal and an objection answer affect the party, so they carry the remedy statement.
    with engine.begin() as c:
        reg(c, A, region=WUCHANG)
        imp = import_decision(c, uscc=A, roster="serious", rule_id="ser.include.heavier_penalty",
                              decided_on=D("2026-03-10"), decision_no="武昌市监信〔2026〕900号", region_code=WUCHANG,
                              settings=settings)
        obj = file_objection(c, str(imp["seq"]), D("2026-03-20"), "不服", settings=settings)
        out = decide_objection(c, obj["id"], "dismissed", D("2026-04-01"), "officer-1", "经核实无误", settings=settings)
        refusal = decisions(c, seq=out["seq"])[0]
        assert refusal["action"] == "refuse" and "第44号" in refusal["basis"] and "第68号" not in refusal["basis"] \
            and "企业经营异常名录" not in refusal["basis"]
        assert "行政复议" in refusal["facts"]["remedy"]
