"""A decision is shown by the decision made (law review item 3): `credit objection decide
--outcome dismissed` is 异议不成立, not 不予移出, wherever it is shown; the stored action stays
``refuse`` (the log is append-only, labels are presentation; domain.md §3.4)."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from credit.api.views import application_status
from credit.cli.commands import rosters as cmd
from credit.rosters.read import decision_feed
from credit.rosters.repair import file_objection
from tests.db.rosters.helpers import D, decisions, night, reg, report
from tests.dropkit import code

A = "91110105MA0000001A"
IND = "92110105MA0000006F"


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(cmd.objection_app, name="objection")
    return app


def test_a_dismissed_objection_is_shown_as_such(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        reg(c, A)
        reg(c, IND, kind="individual", name="朝阳区张三小吃店")
        report(c, A, 2024, "2025-04-01")
        night(c, settings, "2026-07-01")          # both miss the 2025 report: listed / marked
        listing = decisions(c, uscc=A)[0]
        marking = decisions(c, uscc=IND)[0]
        assert (listing["roster"], marking["roster"]) == ("abnormal", "abnormal_status")
        objections = [file_objection(c, d["decision_no"], D("2026-07-10"), "已按时报送", settings=settings)["id"]
                      for d in (listing, marking)]
    runner = CliRunner()
    for oid in objections:
        r = runner.invoke(_app(), ["objection", "decide", str(oid), "--outcome", "dismissed", "--officer", "王科",
                                   "--on", "2026-07-20", "--note", "未按时报送"])
        assert r.exit_code == 0, r.output
        assert "(异议不成立 refuse)" in r.output and "不予移出" not in r.output
    with engine.begin() as c:
        answers = [d for d in decisions(c) if d["request_id"] in objections]
        assert [(d["action"], d["rule_id"]) for d in answers] == [("refuse", "any.refuse.objection")] * 2
        feed = {d["seq"]: d for d in decision_feed(c, 0, 100)}
        assert [feed[d["seq"]]["label"] for d in answers] == ["异议不成立"] * 2
        assert feed[listing["seq"]]["label"] == "列入" and feed[marking["seq"]]["label"] == "标记为经营异常状态"
        for oid in objections:
            st = application_status(c, oid, settings)
            assert st is not None and st["status"] == "refused"
            assert st["status_label"] == "异议不成立" and [d["label"] for d in st["decisions"]] == ["异议不成立"]


def test_status_tells_a_marking_as_a_marking(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A 个体工商户 is marked in abnormal status, not listed, and its normal status is restored
    (domain.md §2, 69号令; recheck N2): `credit status` says so, an enterprise's entry is unchanged."""
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    ENT, SHOP = code(region="110105", body="MA000007"), code(region="110105", body="MA000008", kind="92")
    with engine.begin() as c:
        reg(c, ENT)
        reg(c, SHOP, kind="individual", name="朝阳区张三小吃店")
        report(c, ENT, 2024, "2025-04-01")
        night(c, settings, "2026-07-01")
    app = typer.Typer()
    app.command("status")(cmd.status_command)
    app.command("noop")(lambda: None)
    marked = " ".join(CliRunner().invoke(app, ["status", SHOP, "--as-of", "2026-07-02"]).output.split())
    assert "经营异常状态（个体工商户） · 标记中" in marked and "标记日期 marked on 2026-07-01" in marked
    assert "列入" not in marked and "申请恢复正常记载状态" in marked and "申请移出" not in marked
    listed = " ".join(CliRunner().invoke(app, ["status", ENT, "--as-of", "2026-07-02"]).output.split())
    assert "经营异常名录 · 列入中" in listed and "列入日期 included on 2026-07-01" in listed
    assert "补报年度报告后申请移出" in listed


def test_an_objection_to_a_decision_not_in_the_log_is_refused_in_chinese_first(engine, settings) -> None:  # type: ignore[no-untyped-def]
    """Refusals are Chinese first, then English (house rule): a seq or 文号 the log does not hold,
    a 20-digit case number typed where a decision is meant among them."""
    import pytest

    from credit.rosters.repair import Refused

    with engine.begin() as c:
        for ref in ("33060420269109333592", "京市监信〔2026〕404号"):
            with pytest.raises(Refused, match=r"^决定日志中没有.* \(no decision .* in the log\)$"):
                file_objection(c, ref, D("2026-07-20"), settings=settings)
