"""Review of the serious list as the law runs it (session 29): early removal by repair (domain.md
§4, §5) and the penalty revoked (§6, 45号令 art. 11)."""

from __future__ import annotations

from credit.rosters import serious_officers
from credit.rosters.read import roster_as_of
from credit.rosters.repair import apply_for_removal
from tests.db.rosters.helpers import D, decisions, night, penalty, reg, revoke_penalty

P = "91110000MA0000009P"        # the province-level bureau (110000): no consent needed
A = "91110105MA0000001A"        # 朝阳区 (110105): county level, consent needed


def _list(c, settings) -> None:  # type: ignore[no-untyped-def]
    reg(c, P, region="110000")
    penalty(c, "P1", P, "2025-03-03", fulfilled_on="2025-03-20")
    night(c, settings, "2025-03-03")
    serious_officers.record_assessment(c, "P1", officer="王科长", on=D("2025-03-11"), intent="intentional",
                              frequency="三年内首次", harm="涉案食品已流入市场", outcome="list", settings=settings)
    night(c, settings, "2025-03-11")


def test_a_later_heavier_penalty_since_revoked_does_not_block_early_removal(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # domain.md §4 early removal: "no new heavier penalty". A heavier penalty decided after the
    # listing but revoked (revoked_on) before the application is decided is no penalty any more
    # (45号令 art. 11, domain.md §6: it is withdrawn); it cannot be the reason to refuse.
    with engine.begin() as c:
        _list(c, settings)
        penalty(c, "P2", P, "2025-06-03", category="other", measures=("fine",), heavier=True,
                fulfilled_on="2025-06-10", revoked_on="2025-09-01")
        app = apply_for_removal(c, P, "serious", D("2026-03-16"), settings=settings)
        night(c, settings, "2026-03-25")
        assert decisions(c, action="refuse") == []
        rm = decisions(c, action="remove")
        assert [d["request_id"] for d in rm] == [app["id"]]
        assert roster_as_of(c, D("2026-03-25"), "serious")["state"].tolist() == ["removed"]


def test_a_later_heavier_penalty_in_force_still_blocks_early_removal(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _list(c, settings)
        penalty(c, "P2", P, "2025-06-03", category="other", measures=("fine",), heavier=True, fulfilled_on="2025-06-10")
        apply_for_removal(c, P, "serious", D("2026-03-16"), settings=settings)
        night(c, settings, "2026-03-25")
        [ref] = decisions(c, action="refuse")
        assert "列入后又受到较重行政处罚" in ref["reason"]


def test_cli_refuses_officer_steps_dated_after_today(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # An assessment or a consent is a permanent row of the append-only log (domain.md §4 procedure):
    # dated after the bureau's today it would be a decision not yet taken. The API refuses such a
    # date (422, answers.not_in_future) and `credit repair apply --received` too; so must the CLI.
    import typer
    from typer.testing import CliRunner

    from credit.api import validation
    from credit.cli.commands import serious as scmd

    monkeypatch.setattr(scmd, "_engine", lambda: engine)
    monkeypatch.setattr(validation, "bureau_today", lambda settings=None: D("2026-03-11"))
    with engine.begin() as c:
        reg(c, P, region="110000")
        reg(c, A, region="110105")
        penalty(c, "P1", P, "2026-03-02")
        penalty(c, "P2", A, "2026-03-02")
        night(c, settings, "2026-03-02")
    app = typer.Typer()
    app.add_typer(scmd.app, name="serious")
    run = CliRunner().invoke
    base = ["--officer", "王科长", "--intent", "intentional", "--frequency", "首次", "--harm", "较大", "--outcome", "list"]
    r = run(app, ["serious", "assess", "P1", "--on", "2026-03-20", *base])
    assert r.exit_code == 2 and "晚于今天" in r.output and "Traceback" not in r.output, r.output
    r = run(app, ["serious", "assess", "P2", "--on", "2026-03-10", *base])
    assert r.exit_code == 0, r.output
    consent = ["--officer", "王科长", "--authority", "北京市市场监督管理局", "--document", "京市监信函〔2026〕3号"]
    r = run(app, ["serious", "consent", "P2", "--on", "2026-03-11", "--consented-on", "2026-03-16", *consent])
    assert r.exit_code == 2 and "晚于今天" in r.output, r.output
    r = run(app, ["serious", "consent", "P2", "--on", "2026-03-16", "--consented-on", "2026-03-11", *consent])
    assert r.exit_code == 2 and "晚于今天" in r.output, r.output
    with engine.begin() as c:
        assert [d["action"] for d in decisions(c) if d["action"] in ("assess", "consent")] == ["assess"]


def test_officer_step_cannot_be_dated_before_a_later_step_of_the_case(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # The step is judged on the case as of its date; a revocation (45号令 art. 11) or a consent
    # already in the log for a later day must not be overtaken by a backdated step: a numbered
    # 不予列入 on a revoked procedure, or a second consent that ended in a UniqueViolation traceback.
    import pytest

    def assess(ref: str, on: str, outcome: str) -> list:  # type: ignore[type-arg]
        return serious_officers.record_assessment(c, ref, officer="王科长", on=D(on), intent="intentional", frequency="首次",
                                         harm="较大", outcome=outcome, settings=settings)

    def consent(on: str, outcome: str, no: str) -> list:  # type: ignore[type-arg]
        return serious_officers.record_consent(c, "P2", officer="李处长", on=D(on), consenting_authority="北京市市场监督管理局",
                                      consented_on=D(on), document_no=no, outcome=outcome, settings=settings)

    with engine.begin() as c:
        reg(c, P, region="110000")
        reg(c, A, region="110105")
        penalty(c, "P1", P, "2026-03-02")
        penalty(c, "P2", A, "2026-03-02")
        night(c, settings, "2026-03-02")
        revoke_penalty(c, "P1", "2026-04-30")
        night(c, settings, "2026-05-06")                 # P1's proposal revoked on 2026-05-06
        with pytest.raises(serious_officers.Refused, match="不能补记更早日期"):
            assess("P1", "2026-03-11", "not_list")
        assess("P2", "2026-03-10", "list")
        consent("2026-03-12", "granted", "京市监信函〔2026〕1号")
        with pytest.raises(serious_officers.Refused, match="不能补记更早日期"):
            consent("2026-03-11", "refused", "京市监信函〔2026〕2号")
        assert [d["action"] for d in decisions(c) if d["action"] in ("assess", "consent", "decline")] == \
            ["assess", "consent"]
