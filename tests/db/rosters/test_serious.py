"""Golden cases of the serious illegal and dishonest list (严重违法失信名单, domain.md §3.5, §4, §5):
notice → statement-and-defence period → listing; early removal; automatic removal; escalation switch.

The listings here are made by a bureau that switched every family to automatic listing
(rosters.yaml ``serious_procedure.automatic``); the procedure with the officers' assessment and the
higher bureau's consent is tested in test_serious_procedure.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from credit.rosters.read import entity_rosters, roster_as_of
from credit.rosters.repair import apply_for_removal, decide_objection, file_objection, import_decision
from credit.settings import Settings, bundled
from tests.db.rosters.helpers import D, decisions, night, penalty, published, reg

A = "91110105MA0000001A"


@pytest.fixture()
def auto(settings: Settings, tmp_path: Path) -> Settings:
    """The repository's config with every family switched to automatic listing from 2021-09-01."""
    cfg = tmp_path / "auto-config"
    shutil.copytree(bundled("config"), cfg)
    text = (cfg / "rosters.yaml").read_text(encoding="utf-8")
    old = "    default: [{from: 2021-09-01, automatic: false}]"
    assert old in text
    (cfg / "rosters.yaml").write_text(text.replace(old, old.replace("false", "true")), encoding="utf-8")
    return Settings(database_url=settings.database_url, home=settings.home, config_dir=cfg)


def test_notice_first_then_listing_after_the_defence_period(engine, auto) -> None:  # type: ignore[no-untyped-def]
    # 行政处罚法 arts. 64, 85 (domain.md §13 ex. 7): notice Thu 2026-04-30 → 5 WD end Mon 2026-05-11
    # (May 1–5 off, Sat May 9 make-up). Listing the night after; due 10 WD later (bureau target).
    with engine.begin() as c:
        reg(c, A)
        reg(c, "91110105MA0000002B")
        penalty(c, "P1", A, "2026-04-30", category="food_safety")
        penalty(c, "P2", "91110105MA0000002B", "2026-04-30", heavier=False)        # not a heavier penalty
        penalty(c, "P3", "91110105MA0000002B", "2026-04-30", category="other")     # not an offence family
        night(c, auto, "2026-04-30")
        steps = decisions(c)
        assert [(d["uscc"], d["action"]) for d in steps] == [(A, "proposal"), (A, "notice")]
        notice = steps[1:]
        assert notice[0]["decision_no"] and notice[0]["facts"]["case_no"] == "P1"
        assert roster_as_of(c, D("2026-05-01"), "serious").empty                  # a notice lists nobody
        night(c, auto, "2026-05-11")
        assert decisions(c, action="include") == []
        night(c, auto, "2026-05-12")
        inc = decisions(c, action="include")[0]
        assert inc["refers_to"] == notice[0]["seq"] and inc["trigger_date"] == D("2026-05-11")
        assert inc["due_date"] == D("2026-05-25") and not inc["late"]
        assert "食品安全领域" in inc["cause"] and "44号" in inc["basis"]
        assert inc["effective_until"] == D("2029-05-12")
        got = roster_as_of(c, D("2026-05-12"), "serious")
        assert got["state"].tolist() == ["listed"] and got["name"].tolist() == ["北京测试科技有限公司"]


def test_statement_holds_the_listing_until_answered(engine, auto) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        reg(c, "91110105MA0000002B")
        penalty(c, "P1", A, "2026-04-30")
        penalty(c, "P2", "91110105MA0000002B", "2026-04-30")
        night(c, auto, "2026-04-30")
        n1, n2 = decisions(c, action="notice")
        s1 = file_objection(c, n1["decision_no"], D("2026-05-06"), "无主观故意 (44号令 art. 12)", settings=auto)
        s2 = file_objection(c, str(n2["seq"]), D("2026-05-07"), "申请听证", settings=auto)
        assert s1["in_time"] is True
        night(c, auto, "2026-05-12")
        assert decisions(c, action="include") == []
        decide_objection(c, s1["id"], "dismissed", D("2026-05-14"), "李处长", "理由不成立", settings=auto)
        decide_objection(c, s2["id"], "upheld", D("2026-05-14"), "李处长", settings=auto)
        night(c, auto, "2026-05-14")
        inc = decisions(c, action="include")
        assert [d["uscc"] for d in inc] == [A]                     # B's notice was revoked: never listed
        assert decisions(c, action="revoke")[0]["refers_to"] == n2["seq"]


def test_early_removal_after_one_full_year_order_107(engine, auto) -> None:  # type: ignore[no-untyped-def]
    # domain.md §4, §13 ex. 9: listed 2025-12-01 → may apply from Wed 2026-12-02; decide within 7 WD.
    with engine.begin() as c:
        reg(c, A)
        penalty(c, "P1", A, "2025-11-20", fulfilled_on="2026-01-10")
        night(c, auto, "2025-11-20")
        night(c, auto, "2025-12-01")
        inc = decisions(c, action="include")[0]
        assert inc["decision_date"] == D("2025-12-01") and inc["effective_until"] == D("2028-12-01")
        st = entity_rosters(c, A, D("2026-06-01"), auto)[0]
        assert st["early_removal_from"] == "2026-12-02" and st["automatic_removal_on"] == "2028-12-02"
        early = apply_for_removal(c, A, "serious", D("2026-12-01"), settings=auto)
        assert "2026-12-02" in early["note"]
        night(c, auto, "2026-12-01")
        ref = decisions(c, action="refuse")[0]
        assert ref["request_id"] == early["id"] and "未满一年" in ref["reason"]
        app = apply_for_removal(c, A, "serious", D("2026-12-02"), settings=auto)
        assert app["decide_by"] == "2026-12-11" and "107号" in app["basis"]
        night(c, auto, "2026-12-02")
        rm = decisions(c, action="remove")[0]
        assert rm["request_id"] == app["id"] and rm["reason"] == "提前移出（信用修复）" and not rm["late"]
        assert roster_as_of(c, D("2026-12-02"), "serious")["state"].tolist() == ["removed"]
        assert roster_as_of(c, D("2026-12-01"), "serious")["state"].tolist() == ["listed"]


def test_early_removal_waits_for_a_restriction_the_status_says_so(engine, auto) -> None:  # type: ignore[no-untyped-def]
    # domain.md §4: no early removal while a restriction of the penalty runs. The status (and the API
    # and page built on it) said "from one full year" while the night refused that day (an
    # outsider's acceptance pass): the day now is the one the night grants, or none at all.
    b = "91110105MA0000002Y"
    with engine.begin() as c:
        reg(c, A)
        reg(c, b)
        penalty(c, "P1", A, "2025-11-20", fulfilled_on="2026-01-10", measures=("fine", "suspension"),
                restricted_until="2027-03-31")
        penalty(c, "P2", b, "2025-11-20", fulfilled_on="2026-01-10", measures=("fine", "practice_ban"),
                restricted_until="2030-06-30")
        reg(c, "91110105MA0000003W")
        penalty(c, "P3", "91110105MA0000003W", "2025-11-20", fulfilled_on="2026-01-10")
        night(c, auto, "2025-11-20")
        night(c, auto, "2025-12-01")
        st = entity_rosters(c, A, D("2026-06-01"), auto)[0]
        assert st["early_removal_from"] == "2027-04-01" and st["restriction_ends"] == "2027-03-31"
        assert st["automatic_removal_on"] == "2028-12-02"
        longer = entity_rosters(c, b, D("2026-06-01"), auto)[0]
        assert "early_removal_from" not in longer and longer["automatic_removal_on"] == "2030-07-01"
        app = apply_for_removal(c, A, "serious", D("2026-12-02"), settings=auto)
        night(c, auto, "2026-12-02")
        ref = [r for r in decisions(c, action="refuse") if r["request_id"] == app["id"]][0]
        assert "2027-04-01" in ref["reason"]
        # As the record stood after the listing's night, a restriction delivered since is not known:
        # B's listing recorded none (the drop added it later), so that record says one full year.
        from credit.rosters.known import known_at
        c.execute(sa.text("update penalties set restricted_until = '2027-01-31' where case_no = 'P3'"))
        published(c, "2025-12-01")
        now_ = [e for e in entity_rosters(c, "91110105MA0000003W", D("2026-06-01"), auto) if e["roster"] == "serious"][0]
        then = [e for e in entity_rosters(c, "91110105MA0000003W", D("2026-06-01"), auto,
                                          known_at(c, D("2025-12-01"))) if e["roster"] == "serious"][0]
        assert now_["early_removal_from"] == "2027-02-01" and then["early_removal_from"] == "2026-12-02"


def test_the_receipt_gives_the_reason_and_day_the_night_refuses_with(engine, auto) -> None:  # type: ignore[no-untyped-def]
    # domain.md §4 (one rule, credit.rosters.early_removal.early_removal): the receipt checked the year on
    # the list alone, the night then refused for the restriction (an outsider's acceptance pass).
    # A: restriction to 2027-03-31, past the first anniversary → apply from 2027-04-01.
    # B: practice ban to 2030-06-30, the listing's automatic removal 2030-07-01 → no early-removal date.
    # C: restriction to 2026-06-30, before the anniversary → the year governs, apply from 2026-12-02.
    b, k = "91110105MA0000002Y", "91110105MA0000003W"
    with engine.begin() as c:
        for u, until in ((A, "2027-03-31"), (b, "2030-06-30"), (k, "2026-06-30")):
            reg(c, u)
            penalty(c, f"P{u[-1]}", u, "2025-11-20", fulfilled_on="2026-01-10", measures=("fine", "practice_ban"),
                    restricted_until=until)
        night(c, auto, "2025-11-20")
        night(c, auto, "2025-12-01")
        late_a = apply_for_removal(c, A, "serious", D("2026-12-02"), settings=auto)
        early_b = apply_for_removal(c, b, "serious", D("2026-03-01"), settings=auto)
        early_k = apply_for_removal(c, k, "serious", D("2026-06-01"), settings=auto)
        assert "至2027-03-31届满" in late_a["note"] and "可于2027-04-01起申请" in late_a["note"]
        assert "无提前移出日期" in early_b["note"] and "2030-07-01自动移出" in early_b["note"]
        assert "起申请" not in early_b["note"] and "removed automatically on 2030-07-01" in early_b["note"]
        assert "未满一年" in early_k["note"] and "可于2026-12-02起申请" in early_k["note"]
        night(c, auto, "2026-12-02")
        refused = {r["request_id"]: r["reason"] for r in decisions(c, action="refuse")}
        for app in (late_a, early_b, early_k):
            # the night's reason is the receipt's Chinese, word for word
            assert refused[app["id"]] == app["note"].split(" (")[0]
        st = entity_rosters(c, b, D("2026-12-02"), auto)[0]
        assert st["restriction_note"] == refused[early_b["id"]] and "early_removal_from" not in st
        # Received on the first day the status gives: granted.
        ok = apply_for_removal(c, A, "serious", D("2027-04-01"), settings=auto)
        assert ok["note"] is None or "起申请" not in ok["note"]


def test_a_proposal_is_due_the_night_its_penalty_arrives(engine, auto) -> None:  # type: ignore[no-untyped-def]
    # rules.yaml ser.propose: 0 days from the night the penalty reaches the store. Counted from the
    # decision, which a drop brings a night later at the earliest, every proposal was late.
    import sqlalchemy as sa

    with engine.begin() as c:
        reg(c, A)
        penalty(c, "P1", A, "2025-11-17")
        c.execute(sa.text("update penalties set first_night = '2025-11-18', last_night = '2025-11-18'"))
        night(c, auto, "2025-11-18")
        proposal = decisions(c, action="proposal")[0]
        assert proposal["trigger_date"] == D("2025-11-17") and proposal["due_date"] == D("2025-11-18")
        assert not proposal["late"]


def _delivered(c, case_no: str, night_: str, change: str, **cols) -> None:  # type: ignore[no-untyped-def]
    """The drop of ``night_`` brings penalty ``case_no`` (new or changed, ``cols`` over the stored
    row): the current row and its history row, as the night's merge writes them."""
    import sqlalchemy as sa

    if cols:
        c.execute(sa.text("update penalties set " + ", ".join(f"{k} = :{k}" for k in cols) + " where case_no = :c"),
                  {"c": case_no, **cols})
    c.execute(sa.text("update penalties set last_night = :n" + (", first_night = :n" if change == "new" else "")
                      + " where case_no = :c"), {"c": case_no, "n": D(night_)})
    c.execute(sa.text("""insert into penalties_history (night, change, case_no, uscc, decided_on, doc_no, category,
                         measures, fine_amount, heavier, fulfilled_on, restricted_until, revoked_on)
                         select :n, :ch, case_no, uscc, decided_on, doc_no, category, measures, fine_amount,
                                heavier, fulfilled_on, restricted_until, revoked_on
                           from penalties where case_no = :c"""), {"c": case_no, "n": D(night_), "ch": change})


def test_a_penalty_made_heavier_later_is_due_the_night_it_came_to_qualify(engine, auto) -> None:  # type: ignore[no-untyped-def]
    # An outside review: P1 arrived on 11-18 light (no flag, a plain fine); the drop of 12-08 made it
    # heavier (a business-licence revocation, rosters.yaml heavier_measures). The bureau could not
    # propose it before 12-08: counted from its arrival the proposal was 20 days late. P3's decision
    # date arrived as 2024-12-30, before facts_from (2025-01-01), and was corrected on 12-01: its
    # run starts 12-01. P2 qualified from its arrival: due the night it arrived, as before.
    with engine.begin() as c:
        reg(c, A)
        penalty(c, "P1", A, "2025-11-17", heavier=False)
        penalty(c, "P2", A, "2025-11-17")
        penalty(c, "P3", A, "2024-12-30")
        for case in ("P1", "P2", "P3"):
            _delivered(c, case, "2025-11-18", "new")
        night(c, auto, "2025-11-18")
        assert [(d["facts"]["case_no"], d["due_date"], d["late"]) for d in decisions(c, action="proposal")] == \
            [("P2", D("2025-11-18"), False)]
        _delivered(c, "P1", "2025-11-25", "changed", fine_amount=60000)          # still light
        night(c, auto, "2025-11-25")
        _delivered(c, "P3", "2025-12-01", "changed", decided_on=D("2025-01-02"))
        night(c, auto, "2025-12-01")
        _delivered(c, "P1", "2025-12-08", "changed", measures=["fine", "business_licence_revoked"])
        night(c, auto, "2025-12-08")
        got = [(d["facts"]["case_no"], d["decision_date"], d["trigger_date"], d["due_date"], d["late"])
               for d in decisions(c, action="proposal")]
        assert got == [("P2", D("2025-11-18"), D("2025-11-17"), D("2025-11-18"), False),
                       ("P3", D("2025-12-01"), D("2025-01-02"), D("2025-12-01"), False),
                       ("P1", D("2025-12-08"), D("2025-11-17"), D("2025-12-08"), False)]


def test_automatic_removal_dated_the_day_the_period_ends_when_a_night_is_skipped(engine, auto) -> None:  # type: ignore[no-untyped-def]
    # domain.md §4: off the list when the listing period is full. Recorded by a later night (the
    # nights of 12-02 and 12-03 not run), the removal was dated that night, and the days between
    # answered "listed" beside automatic_removal_on (an outsider's acceptance pass).
    with engine.begin() as c:
        reg(c, A)
        penalty(c, "P1", A, "2025-11-20")
        night(c, auto, "2025-11-20")
        night(c, auto, "2025-12-01")
        night(c, auto, "2028-12-04")
        rm = decisions(c, action="remove")[0]
        # Dated the law's day, recorded two nights after it was due: late (migration 0045; until
        # then ``late`` compared the backdated date with the due date, the same day, never late).
        assert rm["decision_date"] == D("2028-12-02") and rm["night"] == D("2028-12-04")
        assert rm["due_date"] == D("2028-12-02") and rm["late"]
        assert roster_as_of(c, D("2028-12-02"), "serious")["state"].tolist() == ["removed"]
        assert roster_as_of(c, D("2028-12-01"), "serious")["state"].tolist() == ["listed"]
        st = entity_rosters(c, A, D("2028-12-03"), auto)[0]
        assert st["state"] == "removed" and st["removed_on"] == "2028-12-02"


def test_automatic_removal_recorded_on_its_day_is_not_late(engine, auto) -> None:  # type: ignore[no-untyped-def]
    # Listed by the night of 2025-12-01, off the list from 2028-12-02 (the case above): the night of
    # that day records the removal on its due date, not late.
    with engine.begin() as c:
        reg(c, A)
        penalty(c, "P1", A, "2025-11-20")
        night(c, auto, "2025-11-20")
        night(c, auto, "2025-12-01")
        night(c, auto, "2028-12-02")
        rm = decisions(c, action="remove")[0]
        assert (rm["decision_date"], rm["night"], rm["due_date"], rm["late"]) == \
            (D("2028-12-02"), D("2028-12-02"), D("2028-12-02"), False)


def test_early_removal_refused_after_a_new_heavier_penalty(engine, auto) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        penalty(c, "P1", A, "2025-03-03", fulfilled_on="2025-04-01")
        for d in ("2025-03-03", "2025-03-11"):
            night(c, auto, d)
        penalty(c, "P2", A, "2025-09-01", category="consumer_rights")
        app = apply_for_removal(c, A, "serious", D("2026-04-01"), settings=auto)
        assert app["decide_by"] == "2026-04-13"        # 7 WD: Apr 2, 3, (4–6 off), 7, 8, 9, 10, 13
        night(c, auto, "2026-04-10")
        assert decisions(c, action="refuse") == []
        night(c, auto, "2026-04-13")
        ref = decisions(c, action="refuse")[0]
        assert ref["request_id"] == app["id"]
        # the applicant is told what was not met (P1's obligations were performed)
        assert ref["reason"] == "不符合移出条件，不予移出：列入后又受到较重行政处罚"


def test_automatic_removal_after_three_years_across_29_february(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # domain.md §4 automatic removal, 民法典 art. 202: listed 2024-02-29 → 3 years full 2027-02-28
    # → off from 2027-03-01 (no working-day count needed, so the unknown 2027 calendar does not block).
    with engine.begin() as c:
        reg(c, A)
        import_decision(c, uscc=A, roster="serious", rule_id="ser.include.heavier_penalty", decided_on=D("2024-02-29"),
                        decision_no="京朝市监严〔2024〕3号", region_code="110105", settings=settings)
        night(c, settings, "2027-02-28")
        assert decisions(c, roster="serious", action="remove") == []
        night(c, settings, "2027-03-01")
        rm = decisions(c, roster="serious", action="remove")[0]
        assert rm["decision_date"] == D("2027-03-01") and rm["due_date"] == D("2027-03-01")
        assert rm["reason"] == "期满移出" and not rm["late"]


def test_automatic_removal_example_9(engine, auto) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        penalty(c, "P1", A, "2025-11-20")
        night(c, auto, "2025-11-20")
        night(c, auto, "2025-12-01")
        night(c, auto, "2028-12-01")
        assert roster_as_of(c, D("2028-12-01"), "serious")["state"].tolist() == ["listed"]
        night(c, auto, "2028-12-02")
        assert roster_as_of(c, D("2028-12-02"), "serious")["state"].tolist() == ["removed"]


def test_83_era_listing_loads_and_displays(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        import_decision(c, uscc=A, roster="serious", rule_id="ser83.include.false_registration",
                        decided_on=D("2018-03-01"), decision_no="京工商严〔2018〕12号", region_code="110105",
                        settings=settings)
        st = entity_rosters(c, A, D("2019-01-01"), settings)[0]
        assert st["decision_no"] == "京工商严〔2018〕12号" and "83号" in st["basis"] and st["state"] == "listed"
        assert st["automatic_removal_on"] == "2023-03-02"          # 5 years under 83号令 art. 9


def _config_with_escalation_on(tmp: Path) -> Path:
    cfg = tmp / "config"
    shutil.copytree(bundled("config"), cfg)
    text = (cfg / "rules.yaml").read_text(encoding="utf-8")
    old = "      - valid_from: 2024-05-01              # 777号 deleted the sentence (domain.md §3.5, §3.6): OFF by default\n        enabled: false"
    assert old in text
    (cfg / "rules.yaml").write_text(text.replace(old, old.replace("enabled: false", "enabled: true")), encoding="utf-8")
    return cfg


def test_escalation_after_three_years_only_where_the_rule_provides_it(engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # domain.md §3.5: under 654号 art. 17 para. 2 (switched on until 2024-04-30) three full years on
    # the abnormal roster lead to the serious list, due 10 WD after (83号令 art. 8); from 2024-05-01 off.
    with engine.begin() as c:
        reg(c, A)
        reg(c, "91110105MA0000002B")
        import_decision(c, uscc=A, roster="abnormal", rule_id="abn.include.annual_report_missing",
                        decided_on=D("2020-07-01"), decision_no="京朝市监异〔2020〕8号", region_code="110105",
                        facts={"report_year": 2019, "period_end": "2020-06-30"}, settings=settings)
        import_decision(c, uscc="91110105MA0000002B", roster="abnormal", rule_id="abn.include.unreachable",
                        decided_on=D("2022-06-01"), decision_no="京朝市监异〔2022〕3号", region_code="110105",
                        settings=settings)
        night(c, settings, "2023-07-01")
        assert decisions(c, action="escalate") == []               # 3 years full at 24:00 2023-07-01
        night(c, settings, "2023-07-02")
        esc = decisions(c, action="escalate")[0]
        assert esc["uscc"] == A and esc["trigger_date"] == D("2023-07-01") and esc["due_date"] == D("2023-07-14")
        assert "届满3年" in esc["cause"] and esc["effective_until"] == D("2026-07-02")
        night(c, settings, "2025-06-02")                            # B's 3 years are full, but the rule is off
        assert len(decisions(c, action="escalate")) == 1
        # a bureau that confirms a legal basis switches it on by configuration, not code
        on = Settings(database_url=settings.database_url, home=settings.home, config_dir=_config_with_escalation_on(tmp_path))
        night(c, on, "2025-06-03")
        esc2 = decisions(c, action="escalate")
        assert [d["uscc"] for d in esc2] == [A, "91110105MA0000002B"]


def test_early_removal_of_a_listing_on_a_warning_and_criticism_needs_no_fulfilled_on(engine, auto) -> None:  # type: ignore[no-untyped-def]
    # domain.md §4 early removal: "performed the penalty obligations". A warning and a notice of
    # criticism leave nothing to perform (credit.penalties.performance, as grading's
    # PENALTIES_UNFULFILLED and penalty repair read it): an empty fulfilled_on barred the removal for
    # good, refused at the limit as 行政处罚决定规定的义务尚未履行完毕 (outsider's pass).
    with engine.begin() as c:
        reg(c, A)
        penalty(c, "P1", A, "2025-11-20", measures=("warning", "criticism"))
        night(c, auto, "2025-11-20")
        night(c, auto, "2025-12-01")
        assert decisions(c, action="include")[0]["decision_date"] == D("2025-12-01")
        app = apply_for_removal(c, A, "serious", D("2026-12-02"), settings=auto)
        night(c, auto, "2026-12-02")
        rm = decisions(c, action="remove")
        assert [d["request_id"] for d in rm] == [app["id"]], decisions(c)
        assert rm[0]["facts"]["penalty_fulfilled_on"] == "2025-11-20"
