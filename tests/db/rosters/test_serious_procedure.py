"""Golden cases of issue 13 for the serious list (严重违法失信名单) as the law runs it (domain.md §4,
§3.6, §6), on the 2026 calendar: the procedure as decisions, licence revocation whatever the
status, a running restriction blocking early removal, the statutory false-disclosure cause and the
revocation of a listing whose penalty was annulled."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from credit.rosters import serious, serious_officers
from credit.rosters.deadlines import deadline_watch
from credit.rosters.read import entity_rosters, roster_as_of
from credit.rosters.repair import apply_for_removal, decide_objection, file_objection
from credit.settings import Settings, bundled
from tests.db.rosters.helpers import D, decisions, night, penalty, reg, revoke_penalty

A = "91110105MA0000001A"        # registered in 朝阳区 (110105): a county-level authority → consent needed
P = "91110000MA0000009P"        # registered at the province-level bureau (110000): no consent


def _assess(c, settings, ref: str, on: str, outcome: str = "list", intent: str = "intentional") -> list:  # type: ignore[no-untyped-def, type-arg]
    return serious_officers.record_assessment(c, ref, officer="王科长", on=D(on), intent=intent, frequency="三年内首次",
                                     harm="涉案食品已流入市场，未造成人身伤害", outcome=outcome, settings=settings)


def _steps(c, settings, uscc: str, on: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    [p] = serious.procedures(c, D(on), uscc, settings=settings)
    return [(s["step"], s["date"]) for s in p["steps"]]


def test_item1_heavier_food_penalty_is_a_proposal_waiting_for_assessment_and_consent(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # Issue 13 item 1: decided Mon 2026-03-02, heavier, no statement. Notice the same night; the
    # statement window (5 WD, 行政处罚法 arts. 64, 85) ends Mon 2026-03-09. The old night listed on
    # 2026-03-10; now it is a proposal waiting for the art. 12 assessment and, for a county-level
    # authority, the next-higher bureau's consent.
    with engine.begin() as c:
        reg(c, A)
        penalty(c, "P1", A, "2026-03-02", category="food_safety")
        night(c, settings, "2026-03-02")
        steps = decisions(c)
        assert [d["action"] for d in steps] == ["proposal", "notice"]
        assert steps[0]["decision_no"] is None and steps[1]["decision_no"]          # the notice is served: 文号
        assert steps[1]["refers_to"] == steps[0]["seq"] and steps[0]["facts"]["case_no"] == "P1"
        assert "食品安全领域" in steps[0]["cause"]
        night(c, settings, "2026-03-10")
        assert decisions(c, action="include") == []
        assert roster_as_of(c, D("2026-03-10"), "serious").empty
        [p] = serious.procedures(c, D("2026-03-10"), A, settings=settings)
        assert (p["state"], p["next_step"], p["next_actor"], p["consent_required"]) == ("pending", "assess", "officer", True)
        assert p["next_by"] == "2026-03-23"          # bureau target: 10 WD after the window (Mar 10–13, 16–20, 23)
        watch = deadline_watch(c, D("2026-03-10"), 10, settings)
        assert watch[watch["kind"] == "serious:assess"]["uscc"].tolist() == [A]
        # The assessment cannot come before the window is over.
        with pytest.raises(serious_officers.Refused, match="当前不需要裁量评估；陈述申辩期限至 2026-03-09 届满前不得评估 "
                                                           r"\(case P1 needs no assessment now: the statement window runs "
                                                           "until 2026-03-09; no assessment before it ends; next step"):
            _assess(c, settings, "P1", "2026-03-09")
        _assess(c, settings, steps[1]["decision_no"], "2026-03-11")
        night(c, settings, "2026-03-11")
        assert decisions(c, action="include") == []                                   # consent still missing
        [p] = serious.procedures(c, D("2026-03-11"), A, settings=settings)
        assert p["next_step"] == "consent"
        # Only the next-higher bureau consents (domain.md §4): another bureau's answer is refused.
        with pytest.raises(serious_officers.Refused, match="北京市市场监督管理局"):
            serious_officers.record_consent(c, "P1", officer="王科长", on=D("2026-03-13"), consenting_authority="上级局",
                                   consented_on=D("2026-03-13"), document_no="某函〔2026〕1号", settings=settings)
        serious_officers.record_consent(c, "P1", officer="王科长", on=D("2026-03-13"), consenting_authority="北京市市场监督管理局",
                               consented_on=D("2026-03-13"), document_no="京市监信函〔2026〕12号", settings=settings)
        night(c, settings, "2026-03-13")
        inc = decisions(c, action="include")[0]
        assert inc["decision_date"] == D("2026-03-13") and inc["effective_until"] == D("2029-03-13")
        assert inc["facts"]["consent_seq"] and inc["facts"]["assessment_seq"]
        assert decisions(c, action="publish")[0]["refers_to"] == inc["seq"]
        assert _steps(c, settings, A, "2026-03-13") == [
            ("proposal", "2026-03-02"), ("notice", "2026-03-02"), ("assess", "2026-03-11"),
            ("consent", "2026-03-13"), ("include", "2026-03-13"), ("publish", "2026-03-13")]
        consent = decisions(c, action="consent")[0]["facts"]["consent"]
        assert consent["document_no"] == "京市监信函〔2026〕12号" and consent["expected_authority_code"] == "110000"
        entry = entity_rosters(c, A, D("2026-03-13"), settings)[0]
        assert [s["step"] for s in entry["steps"]] == ["proposal", "notice", "assess", "consent", "include", "publish"]
        night(c, settings, "2026-03-13")                                                # a re-run adds nothing
        assert len(decisions(c)) == 6


def test_art12_no_intent_is_not_listed_and_not_list_is_a_numbered_refusal(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        penalty(c, "P1", A, "2026-03-02")
        night(c, settings, "2026-03-02")
        with pytest.raises(serious_officers.Refused, match="没有主观故意"):
            _assess(c, settings, "P1", "2026-03-10", outcome="list", intent="no_intent_proven")
        out = _assess(c, settings, "P1", "2026-03-10", outcome="not_list", intent="no_intent_proven")
        assert [o["action"] for o in out] == ["assess", "decline"] and out[1]["decision_no"]
        night(c, settings, "2026-03-20")
        assert decisions(c, action="include") == []
        [p] = serious.procedures(c, D("2026-03-20"), A, settings=settings)
        assert p["state"] == "declined" and p["next_step"] is None


def test_statement_holds_the_procedure_until_answered(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, P, region="110000")
        penalty(c, "P1", P, "2026-03-02")
        night(c, settings, "2026-03-02")
        notice = decisions(c, action="notice")[0]
        s = file_objection(c, notice["decision_no"], D("2026-03-06"), "申请听证", settings=settings)
        with pytest.raises(serious_officers.Refused, match="未处理"):
            _assess(c, settings, "P1", "2026-03-10")
        decide_objection(c, s["id"], "dismissed", D("2026-03-12"), "李处长", "听证后维持", settings=settings)
        _assess(c, settings, "P1", "2026-03-12")
        night(c, settings, "2026-03-12")                                   # province level: no consent
        assert decisions(c, action="include")[0]["decision_date"] == D("2026-03-12")


def test_item2_business_licence_revoked_proposes_whatever_the_status(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # Issue 13 item 2: measures fine;business_licence_revoked, the registration turns revoked the same night.
    with engine.begin() as c:
        reg(c, A, status="revoked")
        penalty(c, "P1", A, "2026-03-02", heavier=False, measures=("fine", "business_licence_revoked"))
        night(c, settings, "2026-03-02")
        prop = decisions(c, action="proposal")[0]
        assert prop["facts"]["heavier_by"] == ["measure:business_licence_revoked"]
        assert prop["facts"]["registration_status"] == "revoked"
        assert decisions(c, action="notice")[0]["refers_to"] == prop["seq"]


@pytest.mark.parametrize("source", ["column", "config"])
def test_item3_running_practice_ban_blocks_early_removal(engine, settings, tmp_path, source) -> None:  # type: ignore[no-untyped-def]
    # Issue 13 item 3: listed 2026-03-10 for a penalty with a 5-year practice ban (to 2031-03-02),
    # fine paid, application 2027-03-15 → refused with the reason and the day the ban ends; the
    # listing itself runs to the end of the ban (domain.md §4: the longer period governs).
    cfg = settings
    if source == "config":
        cfg = _settings_with(settings, tmp_path, "restriction_years: {}", "restriction_years: {practice_ban: 5}")
    with engine.begin() as c:
        reg(c, P, region="110000")
        penalty(c, "P1", P, "2026-03-02", measures=("fine", "practice_ban"), fulfilled_on="2026-03-20",
                restricted_until="2031-03-02" if source == "column" else None)
        night(c, cfg, "2026-03-02")
        _assess(c, cfg, "P1", "2026-03-10")
        night(c, cfg, "2026-03-10")
        inc = decisions(c, action="include")[0]
        assert inc["decision_date"] == D("2026-03-10") and inc["effective_until"] == D("2031-03-02")
        assert inc["facts"]["restriction_ends"] == "2031-03-02"
        app = apply_for_removal(c, P, "serious", D("2027-03-15"), settings=cfg)
        night(c, cfg, "2027-03-15")
        ref = decisions(c, action="refuse")[0]
        assert ref["request_id"] == app["id"] and decisions(c, action="remove") == []
        assert "2031-03-02" in ref["reason"] and "限制期限" in ref["reason"] and "2031-03-03" in ref["reason"]
        assert roster_as_of(c, D("2027-03-15"), "serious")["state"].tolist() == ["listed"]


def test_item4_serious_false_disclosure_is_the_statutory_cause(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # Issue 13 item 4: 企业信息公示暂行条例 art. 18 para. 2 (as revised 2024-05-01, domain.md §3.6).
    with engine.begin() as c:
        reg(c, P, region="110000")
        reg(c, "91110000MA0000008Q", region="110000")
        penalty(c, "P1", P, "2026-03-02", category="false_disclosure", heavier=True)
        penalty(c, "P2", "91110000MA0000008Q", "2026-03-02", category="false_disclosure", heavier=False)  # not 情节严重
        night(c, settings, "2026-03-02")
        prop = decisions(c, action="proposal")
        assert [(d["uscc"], d["cause_code"]) for d in prop] == [(P, "false_disclosure_serious")]
        _assess(c, settings, "P1", "2026-03-10")
        night(c, settings, "2026-03-10")
        inc = decisions(c, action="include")[0]
        assert inc["rule_id"] == "ser.include.false_disclosure" and inc["rule_version"] == "ser.include.false_disclosure@2024-05-01"
        assert "第十八条第二款" in inc["basis"] and "弄虚作假" in inc["cause"]


def test_item4_rule_is_in_force_from_2024_05_01(settings) -> None:  # type: ignore[no-untyped-def]
    from credit.rosters.env import RosterEnv

    rules = RosterEnv.load(settings).rules
    assert rules.find("ser.include.false_disclosure", D("2024-04-30")) is None
    assert rules.at("ser.include.false_disclosure", D("2024-05-01")).status == "verified"


def test_revoked_penalty_revokes_the_listing_within_3_wd_and_a_pending_proposal(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 45号令 art. 11 (domain.md §6): withdraw within 3 WD of the revocation.
    with engine.begin() as c:
        reg(c, P, region="110000")
        reg(c, A)
        penalty(c, "P1", P, "2026-03-02")
        penalty(c, "P2", A, "2026-03-02")
        night(c, settings, "2026-03-02")
        _assess(c, settings, "P1", "2026-03-10")
        night(c, settings, "2026-03-10")
        inc = decisions(c, action="include")[0]
        revoke_penalty(c, "P1", "2026-04-30")       # revoked Thu 30 April: 3 WD → May 6, 7, 8 → Fri 2026-05-08
        revoke_penalty(c, "P2", "2026-04-30")
        night(c, settings, "2026-05-06")
        rv = {d["uscc"]: d for d in decisions(c, action="revoke")}
        assert rv[P]["entry_id"] == inc["entry_id"] and rv[P]["due_date"] == D("2026-05-08") and not rv[P]["late"]
        assert rv[P]["reason"] == "行政处罚决定已被撤销，撤销列入" and rv[P]["decision_no"]
        assert rv[A]["entry_id"] is None and rv[A]["refers_to"] == decisions(c, uscc=A, action="proposal")[0]["seq"]
        assert roster_as_of(c, D("2026-05-06"), "serious")["state"].tolist() == ["removed"]
        assert roster_as_of(c, D("2026-05-05"), "serious")["state"].tolist() == ["listed"]
        states = {p["uscc"]: (p["state"], p["next_step"]) for p in serious.procedures(c, D("2026-05-06"), settings=settings)}
        assert states == {P: ("revoked", None), A: ("revoked", None)}
        watch = deadline_watch(c, D("2026-05-06"), 10, settings)
        assert not watch["kind"].str.startswith("serious:").any()


def _settings_with(settings: Settings, tmp: Path, old: str, new: str) -> Settings:
    cfg = tmp / "config"
    if not cfg.exists():
        shutil.copytree(bundled("config"), cfg)
    text = (cfg / "rosters.yaml").read_text(encoding="utf-8")
    assert old in text
    (cfg / "rosters.yaml").write_text(text.replace(old, new), encoding="utf-8")
    return Settings(database_url=settings.database_url, home=settings.home, config_dir=cfg)


def test_automatic_switch_lists_after_the_window_and_is_recorded(engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    auto = _settings_with(settings, tmp_path, "    default: [{from: 2021-09-01, automatic: false}]",
                          "    default: [{from: 2021-09-01, automatic: false}]\n"
                          "    food_safety: [{from: 2026-01-01, automatic: true}]")
    with engine.begin() as c:
        reg(c, A)
        reg(c, "91110105MA0000002B")
        penalty(c, "P1", A, "2026-04-30", category="food_safety")
        penalty(c, "P2", "91110105MA0000002B", "2026-04-30", category="consumer_rights")
        night(c, auto, "2026-04-30")
        night(c, auto, "2026-05-11")                 # window ends Mon 2026-05-11 (§13 ex. 7)
        assert decisions(c, action="include") == []
        night(c, auto, "2026-05-12")
        [inc] = decisions(c, action="include")
        assert inc["uscc"] == A and inc["trigger_date"] == D("2026-05-11") and inc["due_date"] == D("2026-05-25")
        for d in decisions(c, uscc=A):
            sw = d["facts"]["listing_switch"]
            assert sw["automatic"] is True and sw["family"] == "food_safety" and sw["from"] == "2026-01-01"
            assert sw["config_version"].startswith("rosters-")
        assert all(d["facts"]["listing_switch"]["automatic"] is False for d in decisions(c, uscc="91110105MA0000002B"))


# -- property: the procedure's steps come in their order, whatever the officers do when ------------
ORDER = ["proposal", "notice", "statement", "assess", "consent", "decline", "include", "publish", "revoke"]


@hsettings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(assess_at=st.integers(0, 12), consent_at=st.integers(0, 12), outcome=st.sampled_from(["list", "not_list"]),
       county=st.booleans(), revoke_at=st.one_of(st.none(), st.integers(0, 15)))
def test_procedure_steps_keep_their_order(engine, settings, assess_at, consent_at, outcome, county, revoke_at) -> None:  # type: ignore[no-untyped-def]
    start = date(2026, 3, 2)
    uscc, region = (A, "110105") if county else (P, "110000")
    with engine.connect() as c:
        tx = c.begin()
        try:
            reg(c, uscc, region=region)
            penalty(c, "P1", uscc, start.isoformat())
            for day in range(16):
                d = start + timedelta(days=day)
                if revoke_at == day:
                    revoke_penalty(c, "P1", d.isoformat())
                for what, at in (("assess", assess_at), ("consent", consent_at)):
                    if at == day:
                        try:
                            if what == "assess":
                                _assess(c, settings, "P1", d.isoformat(), outcome=outcome)
                            else:
                                serious_officers.record_consent(c, "P1", officer="王科长", on=d, consenting_authority="北京市市场监督管理局",
                                                       consented_on=d, document_no="京市监信函〔2026〕1号", settings=settings)
                        except serious_officers.Refused:
                            pass
                night(c, settings, d)
            procs = serious.procedures(c, start + timedelta(days=15), uscc, settings=settings)
            if not procs:                                  # revoked before any night saw it
                assert revoke_at == 0
                return
            [p] = procs
            steps = [s["step"] for s in p["steps"]]
            dates = [s["date"] for s in p["steps"]]
            assert steps == sorted(steps, key=ORDER.index) and dates == sorted(dates)
            assert steps[:2] == ["proposal", "notice"]
            if "include" in steps:
                assert "assess" in steps and ("consent" in steps) == county
                assert steps[steps.index("include") + 1] == "publish"
            assert ("decline" in steps) <= (outcome == "not_list" or "consent" in steps)
            logged = [d["action"] for d in decisions(c)]
            assert logged.count("include") <= 1 and logged.count("revoke") <= 1
            # round trip: the log read back gives the same view
            assert serious.procedures(c, start + timedelta(days=15), uscc, settings=settings)[0] == p
        finally:
            tx.rollback()


def test_a_case_number_of_digits_names_its_procedure_not_a_seq(engine, settings) -> None:  # type: ignore[no-untyped-def]
    """Case numbers are often all digits (20-digit 案件编号, as `credit sample` writes them). Such a
    number beyond a bigint is a case number, not a step's seq (the cast failed: a traceback for
    `credit serious assess`); one that is also the seq of another procedure's step is refused as
    ambiguous unless the entity is named, never recorded on the other case (domain.md §4)."""
    long_case, q = "33060420269109333592", "91110000MA0000008Q"
    with engine.begin() as c:
        reg(c, P, region="110000")
        reg(c, q, region="110000")
        penalty(c, long_case, q, "2026-03-02")
        night(c, settings, "2026-03-02")
        first = decisions(c)[0]
        assert first["seq"] == 1 and first["facts"]["case_no"] == long_case
        penalty(c, "1", P, "2026-03-02")          # case "1": the seq of q's proposal
        night(c, settings, "2026-03-03")
        out = _assess(c, settings, long_case, "2026-03-12")
        assert [(o["action"], o["case_no"]) for o in out] == [("assess", long_case)]
        with pytest.raises(serious_officers.Refused, match="无法确定所指"):
            _assess(c, settings, "1", "2026-03-12")
        out = serious_officers.record_assessment(c, "1", officer="王科长", on=D("2026-03-12"), intent="intentional",
                                                 frequency="三年内首次", harm="无", outcome="list", uscc=P,
                                                 settings=settings)
        assert [(o["action"], o["case_no"]) for o in out] == [("assess", "1")]
