"""Findings of the two reviews of the rosters area, one test each (real PostgreSQL, fast)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from credit.cli.commands import rosters as cmd
from credit.rosters.audit import verify_chain
from credit.rosters.deadlines import deadline_watch
from credit.rosters.read import entity_rosters
from credit.rosters.repair import Refused, apply_for_removal, import_decision
from credit.settings import Settings, bundled
from tests.db.rosters.helpers import (
    D,
    decisions,
    finding,
    night,
    penalty,
    published,
    reg,
    rehash_chain,
    report,
    three_nights,
)

A = "91110105MA00000012"
B = "91110105MA00000025"


@pytest.fixture(autouse=True)
def _wide(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console

    monkeypatch.setattr(cmd, "console", Console(width=400))
    monkeypatch.setattr(cmd, "err", Console(width=400, stderr=True))


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("status")(cmd.status_command)
    app.add_typer(cmd.repair_app, name="repair")
    app.add_typer(cmd.roster_app, name="roster")
    return app


def test_unreachable_application_waits_for_the_cure_and_counts_5wd_from_its_finding(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 68号令 art. 14, domain.md §3.3: causes 3 and 4 count 5 WD from 查实 of the cure, not from receipt.
    with engine.begin() as c:
        reg(c, A)
        finding(c, "F1", A, "unreachable_address", "2026-02-10")
        night(c, settings, "2026-02-10")
        app = apply_for_removal(c, A, "abnormal", D("2026-03-02"), settings=settings)
        assert app["decide_by"] is None and "查实" in app["note"]
        for d in ("2026-03-09", "2026-03-20"):                 # 5 WD after receipt passed long ago
            night(c, settings, d)
        assert decisions(c, action="refuse") == []
        w = deadline_watch(c, D("2026-03-20"), 5, settings)
        assert w["ref"].tolist() == [f"request {app['id']}"] and not w["overdue"][0] and "查实" in w["note"][0]
        finding(c, "F2", A, "contact_restored", "2026-04-01")
        w = deadline_watch(c, D("2026-04-01"), 5, settings)
        assert w["due_date"].tolist() == [D("2026-04-09")]      # Apr 2, 3, (4–6 Qingming), 7, 8, 9
        night(c, settings, "2026-04-01")
        rm = decisions(c, action="remove")[0]
        assert rm["request_id"] == app["id"] and rm["due_date"] == D("2026-04-09")


def _three_nights(c, settings) -> None:  # type: ignore[no-untyped-def]
    three_nights(c, settings, A, B)


def test_audit_verify_detects_tail_truncation(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _three_nights(c, settings)
        penalty(c, "P1", A, "2026-07-03", heavier=False, measures=("fine", "suspension"))
        night(c, settings, "2026-07-06")                        # a notice with a numeric fine in its facts
    with engine.connect() as c:
        ok = verify_chain(c)
        n = ok.checked
    assert ok.ok and ok.anchors == 4 and n == 6, ok         # the penalty: a proposal and its notice
    # Tampering needs the superuser: the test disables the append-only trigger, as an intruder would.
    with engine.begin() as c:
        c.exec_driver_sql("alter table roster_decisions disable trigger roster_decisions_append_only")
        c.exec_driver_sql(f"delete from roster_decisions where seq >= {n - 1}")
        c.exec_driver_sql("alter table roster_decisions enable trigger roster_decisions_append_only")
    with engine.connect() as c:
        bad = verify_chain(c)
    assert not bad.ok and bad.broken_seq == n - 1 and "missing" in (bad.problem or "")
    assert f"{n - 1}–{n}" in (bad.problem or "")


def test_audit_verify_detects_a_consistent_rewrite_of_the_chain(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _three_nights(c, settings)
    # Superuser rewrite (trigger disabled): change decision 2 and recompute every hash after it, so
    # every link holds; only the nightly anchors still remember the old head.
    with engine.begin() as c:
        c.exec_driver_sql("alter table roster_decisions disable trigger roster_decisions_append_only")
        c.exec_driver_sql("update roster_decisions set cause = '已篡改' where seq = 2")
        rehash_chain(c)
        c.exec_driver_sql("alter table roster_decisions enable trigger roster_decisions_append_only")
    with engine.connect() as c:
        bad = verify_chain(c)
    assert not bad.ok and bad.broken_seq == 2 and "anchored" in (bad.problem or "")


def _config_with_2027(tmp: Path) -> Path:
    cfg = tmp / "config"
    shutil.copytree(bundled("config"), cfg)
    return cfg


def test_provisional_due_dates_are_recomputed_when_the_year_is_published(engine, tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    cfg = _config_with_2027(tmp_path)
    s = Settings(database_url=settings.database_url, home=settings.home, config_dir=cfg)
    with engine.begin() as c:
        reg(c, A)
        report(c, A, 2025, "2026-05-01")
        night(c, s, "2027-07-16")                               # 2026 report missing; 2027 unknown
        inc = decisions(c)[0]
        assert inc["due_date"] is None and inc["due_provisional"] == D("2027-07-14") and not inc["late"]
        app = apply_for_removal(c, A, "abnormal", D("2027-07-20"), settings=s)
        assert app["decide_by_provisional"] == "2027-07-27"
        # The 2027 notice is published (test data: one extra rest day, Wed 2027-07-21).
        text = (cfg / "calendar.yaml").read_text(encoding="utf-8").replace(
            "years: {}", "years:\n  2027:\n    notice: test\n    holidays: [2027-01-01, 2027-07-21, 2027-10-01]\n    workdays: []")
        (cfg / "calendar.yaml").write_text(text, encoding="utf-8")
        st = entity_rosters(c, A, D("2027-07-20"), s)[0]
        assert st["decision_due"] == "2027-07-14" and st["decided_late"] and st["decision_due_provisional"] is None
        assert st["pending_applications"][0]["decide_by"] == "2027-07-28"
        w = deadline_watch(c, D("2027-07-20"), 10, s)
        assert w["due_date"].tolist() == [D("2027-07-28")] and not w["provisional"][0]
        assert len(decisions(c)) == 1                           # nothing appended


def test_83_era_listing_expires_with_its_own_5_year_wording(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        import_decision(c, uscc=A, roster="serious", rule_id="ser83.include.false_registration",
                        decided_on=D("2018-03-01"), decision_no="京工商严〔2018〕12号", region_code="110105",
                        settings=settings)
        night(c, settings, "2023-03-02")
        rm = decisions(c, action="remove")[0]
        assert "届满5年" in rm["cause"] and "届满3年" not in rm["cause"] and "83号" in rm["basis"]


def test_serious_measures_make_a_heavier_penalty_without_the_flag(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 44号令 art. 2 items 2–3 (domain.md §4): licence revocation is 较重行政处罚 whatever the flag says.
    with engine.begin() as c:
        reg(c, A)
        reg(c, B)
        penalty(c, "P1", A, "2026-05-06", heavier=False, measures=("fine", "licence_revoked"))
        penalty(c, "P2", B, "2026-05-06", heavier=False, measures=("fine",))
        night(c, settings, "2026-05-06")
        (n,) = decisions(c, action="notice")
        assert n["uscc"] == A and n["facts"]["heavier_by"] == ["measure:licence_revoked"]


def test_status_json_always_has_tier_and_data_through(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        reg(c, A)
        night(c, settings, "2026-07-01")
        published(c, "2026-07-01")
    r = CliRunner().invoke(_app(), ["status", A, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert "tier" in out and out["tier"] is None
    assert out["as_of"] == "2026-07-01" and out["data_through"] == "2026-07-01" and out["beyond_data"] is False
    entry = out["rosters"][0]
    assert entry["apply_until"] == "2029-07-01"                 # 68号令 art. 10: within 3 years
    # the contract's wording (contracts.md §2), its Chinese beside it
    assert entry["removal_possible"] == "on application, after filing the missing report"
    assert entry["removal_possible_zh"] == "补报年度报告后申请移出"
    r = CliRunner().invoke(_app(), ["status", A, "--as-of", "2026-08-01", "--json"])
    assert json.loads(r.output)["beyond_data"] is True
    r = CliRunner().invoke(_app(), ["status", A, "--as-of", "2026-08-01"])
    assert "data through 2026-07-01" in r.output and "warning" in r.output and "apply until 2029-07-01" in r.output
    # the warning reads Chinese first, the English in brackets (house rule), in status and in the export
    said = " ".join(r.output.split())
    assert "注意：2026-08-01 晚于最新已发布批次" in said and said.index("晚于最新已发布批次") < said.index("(warning"), said
    # … and so does the line of what the answer speaks for (it was English only: as of …; data through …)
    assert "截至 as of 2026-08-01；数据截至批次 data through 2026-07-01" in said, said
    r = CliRunner().invoke(_app(), ["roster", "export", "--roster", "abnormal", "--format", "json", "--as-of", "2026-08-01"])
    said = " ".join(r.output.split())
    assert r.exit_code == 0 and "注意：2026-08-01 晚于最新已发布批次" in said and "(warning" in said, said
    assert "截至 as of 2026-08-01；数据截至批次 data through 2026-07-01" in said, said
    r = CliRunner().invoke(_app(), ["roster", "export", "--roster", "abnormal", "--format", "json"])
    assert r.exit_code == 0 and "data through 2026-07-01" in r.output and json.loads(
        r.output[r.output.index("["):])[0]["uscc"] == A


def test_status_human_output_shows_tier_reasons_as_lines(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    import credit.grading.read as grading

    monkeypatch.setattr(grading, "grade_of", lambda conn, code, day, settings: {
        "grade": "C", "label": "较高风险", "reasons": [{"code": "abnormal_roster", "text": "列入经营异常名录",
                                                     "value": 1, "contribution": 30}]})
    with engine.begin() as c:
        reg(c, A)
        published(c, "2026-07-01")
    r = CliRunner().invoke(_app(), ["status", A])
    assert r.exit_code == 0, r.output
    assert "abnormal_roster: 列入经营异常名录（值 value 1）" in r.output and "{" not in r.output
    assert "信用风险分类 tier C 较高风险" in r.output and "未列入经营异常名录或严重违法失信名单 (not on any roster)" in r.output


@pytest.mark.parametrize("args", [["status", "91110105MA0000001A"],
                                  ["repair", "apply", "91110105MA0000001A", "--roster", "abnormal",
                                   "--received", "2026-07-01"]])
def test_cli_rejects_a_malformed_uscc_precisely(engine, monkeypatch, args) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    r = CliRunner().invoke(_app(), args)
    assert r.exit_code == 2 and "校验码" in r.output and "position 18" in r.output


def test_repair_apply_refuses_future_dates_and_a_second_pending_application(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        reg(c, A)
        night(c, settings, "2026-07-01")
        published(c, "2026-07-01")
        published(c, "2026-07-20")
    r = CliRunner().invoke(_app(), ["repair", "apply", A, "--roster", "abnormal", "--received", "2099-01-04"])
    assert r.exit_code == 2 and "in the future" in r.output
    r = CliRunner().invoke(_app(), ["repair", "apply", A, "--roster", "abnormal", "--received", "2026-07-02", "--json"])
    first = json.loads(r.output)["id"]
    r = CliRunner().invoke(_app(), ["repair", "apply", A, "--roster", "abnormal", "--received", "2026-07-03"])
    assert r.exit_code == 2 and f"application {first}" in r.output
    with engine.begin() as c, pytest.raises(Refused, match=str(first)):
        apply_for_removal(c, A, "abnormal", D("2026-07-06"), settings=settings)
    # Entered again with an earlier date (a clerk correcting the receipt): the same applicant's
    # application on the same entry is still pending, whichever was received first (outside review,
    # stop 46: it was recorded, and the night then refused it formally, with its own 文号).
    r = CliRunner().invoke(_app(), ["repair", "apply", A, "--roster", "abnormal", "--received", "2026-07-01"])
    assert r.exit_code == 2 and f"application {first}" in r.output
    with engine.begin() as c:
        night(c, settings, "2026-07-09")                        # 5 WD ran out uncured: refused
    r = CliRunner().invoke(_app(), ["status", A, "--json"])
    (a,) = json.loads(r.output)["rosters"][0]["applications"]
    assert a["id"] == first and a["status"] == "refused" and a["decision"]["reason"] == "不符合移出条件，不予移出：办理期限届满时仍未补报年度报告"
    r = CliRunner().invoke(_app(), ["status", A])
    assert f"application {first}" in r.output and "refused" in r.output and "不予移出" in r.output


def test_repair_apply_on_the_morning_after_a_night_is_recorded_against_that_night_s_rosters(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Outside review, stop 46: night D runs at 01:00 on D + 1 (config/schedule.yaml), so all day
    # D + 1 the latest published night is D; the counter refused an application received that day
    # ("after the latest published night"), and the clerk could only send the applicant away or
    # backdate the receipt in the append-only log (an earlier decide-by date). Recorded now, checked
    # against night D's rosters, as an application made online is on the day it arrives.
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        reg(c, A)
        night(c, settings, "2026-07-01")
        published(c, "2026-07-01")
    r = CliRunner().invoke(_app(), ["repair", "apply", A, "--roster", "abnormal", "--received", "2026-07-02"])
    assert r.exit_code == 0, r.output
    assert "the bureau must decide by 2026-07-09" in r.output       # 5 WD from 07-02, not from a backdated 07-01
    assert "checked against the rosters of the latest published night 2026-07-01" in r.output
    with engine.begin() as c:
        (q,) = c.execute(sa.text("select received_on from roster_requests where uscc = :u"), {"u": A}).scalars()
    assert q == D("2026-07-02")


def test_text_for_outsiders_cites_no_internal_file(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        report(c, A, 2025, "2026-05-01")
        night(c, settings, "2027-07-01")                        # provisional due note
        (d,) = decisions(c)
        shown = json.dumps(d, default=str, ensure_ascii=False) + json.dumps(
            entity_rosters(c, A, D("2027-07-01"), settings), ensure_ascii=False)
    assert "provisional" in (d["due_note"] or "") and "domain.md" not in shown


def test_status_json_tier_reasons_are_texts_as_the_contract_shows(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # contracts.md §2: "tier": {"grade": "C", "reasons": ["…"]}; each reason whole in reason_details
    from credit.context import NightContext
    from credit.grading.night import grade_night

    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        reg(c, A)
        night(c, settings, "2026-07-01")
        grade_night(c, NightContext(D("2026-07-01"), "test", settings))
        published(c, "2026-07-01")
    r = CliRunner().invoke(_app(), ["status", A, "--json"])
    tier = json.loads(r.output)["tier"]
    assert tier["grade"] in "ABCD" and tier["reasons"] and all(isinstance(x, str) for x in tier["reasons"])
    assert tier["reasons"] == [d["text"] for d in tier["reason_details"]]
    assert "列入经营异常名录" in tier["reasons"]
    r = CliRunner().invoke(_app(), ["status", A])
    assert "ABNORMAL_ROSTER: 列入经营异常名录" in r.output
