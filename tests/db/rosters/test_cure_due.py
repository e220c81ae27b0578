"""An application for removal covering entries on two causes (s34): each entry is due by its own
limit — 5 WD from receipt for a missing report (68号令 art. 11), 5 WD from 查实 of the cure for false
disclosure or unreachability (arts. 13–14), none before 查实 (domain.md §3.3, §13 ex. 3). The
recorded and shown decide-by date is the earliest known one, the entries waiting for 查实 named."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import typer
from sqlalchemy.engine import Connection, Engine
from typer.testing import CliRunner

from credit.cli.commands import rosters as cmd
from credit.rosters.deadlines import deadline_watch
from credit.rosters.read import entity_rosters
from credit.rosters.repair import apply_for_removal
from credit.rosters.requests import application_decide_by, request_of
from credit.settings import Settings
from tests.db.rosters.helpers import D, decisions, finding, inspection, night, published, reg, report

A = "91110105MA00000012"
# Each cause its own cure (rules.yaml ``reason``: 68号令 arts. 13, 14; s35)
WAITING = "自查实已更正公示信息之日起5个工作日内决定（查实前不计算）"
WAITING_4 = "自查实已变更登记住所或重新取得联系之日起5个工作日内决定（查实前不计算）"


@pytest.fixture(autouse=True)
def _wide(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console

    monkeypatch.setattr(cmd, "console", Console(width=400))
    monkeypatch.setattr(cmd, "err", Console(width=400, stderr=True))


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("status")(cmd.status_command)
    app.add_typer(cmd.repair_app, name="repair")
    return app


def _two_causes(c: Connection, settings: Settings) -> None:
    """A: listed 07-01 for the missing 2025 report, then 07-06 for false disclosure (in that order,
    as 93330213MA6EF1A17A of the 2,000-entity sample, seed 3)."""
    reg(c, A)
    night(c, settings, "2026-07-01")
    inspection(c, "T2", A, "2026-07-06", "false_disclosure")
    night(c, settings, "2026-07-06")
    night(c, settings, "2026-09-30")
    published(c, "2026-09-30")


def _by_cause(c: Connection, settings: Settings, on: str) -> dict[str, dict[str, object]]:
    return {e["cause_code"]: e["pending_applications"][0] if e.get("pending_applications") else {}
            for e in entity_rosters(c, A, D(on), settings)}


def test_two_causes_each_entry_by_its_own_limit(engine: Engine, settings: Settings, cli_env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        _two_causes(c, settings)
        assert sorted(d["cause_code"] for d in decisions(c, action="include")) == [
            "annual_report_missing", "false_disclosure"]
    r = CliRunner().invoke(_cli(), ["repair", "apply", A, "--roster", "abnormal", "--received", "2026-09-30"])
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    # The report's 5 WD from receipt (§13 ex. 3); the false disclosure named as waiting for 查实.
    assert "decide by 2026-10-13" in out and "查实前不计算" in out and "隐瞒真实情况" in out, out
    with engine.begin() as c:
        q = request_of(c, int(out.split("application ")[1].split()[0]))
        assert q is not None and q["due_date"] == D("2026-10-13") and "查实前不计算" in (q["due_note"] or "")
        by = _by_cause(c, settings, "2026-12-01")
        assert by["annual_report_missing"]["decide_by"] == "2026-10-13"
        assert by["false_disclosure"]["decide_by"] is None and by["false_disclosure"]["decide_by_note"] == WAITING
        due, prov, note = application_decide_by(c, q, settings)       # the applicants' page
        assert (due, prov) == (D("2026-10-13"), None) and "隐瞒真实情况" in (note or "")
        w = deadline_watch(c, D("2026-10-09"), 5, settings)
        assert w["due_date"].tolist() == [D("2026-10-13")] and "隐瞒真实情况" in w["note"][0]
        # 10-13: the report still missing, the bureau refuses that entry; the false disclosure waits
        night(c, settings, "2026-10-13")
        assert [d["entry_id"] for d in decisions(c, action="refuse")] == [
            decisions(c, action="include", cause_code="annual_report_missing")[0]["seq"]]
        w = deadline_watch(c, D("2026-12-01"), 5, settings)
        assert w["ref"].tolist() == [f"request {q['id']}"], w
        assert not w["overdue"][0] and w["due_date"].isna().all() and "查实" in w["note"][0]
        due, prov, note = application_decide_by(c, q, settings)
        assert (due, prov, note) == (None, None, WAITING)
        # The applicant is not told "refused" while the false disclosure's answer is still owed.
        from credit.api.views import application_status
        status = application_status(c, int(q["id"]), settings)
        assert status is not None and status["status"] == "pending", status
        # 查实 of the correction on Mon 2026-11-02 → 5 WD: Nov 3, 4, 5, 6, 9
        finding(c, "F2", A, "disclosure_corrected", "2026-11-02")
        w = deadline_watch(c, D("2026-11-02"), 10, settings)
        assert w["due_date"].tolist() == [D("2026-11-09")] and w["note"].isna().all()
    r = CliRunner().invoke(_cli(), ["status", A, "--as-of", "2026-11-02", "--json"])
    fd = [e for e in json.loads(r.output)["rosters"] if e["cause_code"] == "false_disclosure"][0]
    assert fd["cure_established_on"] == "2026-11-02" and fd["pending_applications"][0]["decide_by"] == "2026-11-09"


def test_one_cause_entities_unchanged(engine: Engine, settings: Settings) -> None:
    B = "91110105MA00000025"
    with engine.begin() as c:
        reg(c, A)                                           # cause 1 only
        reg(c, B)
        report(c, B, 2025, "2026-03-01")                    # filed in time: cause 4 only
        finding(c, "F1", B, "unreachable_address", "2026-02-10")
        night(c, settings, "2026-02-10")
        night(c, settings, "2026-07-01")
        a = apply_for_removal(c, A, "abnormal", D("2026-09-30"), settings=settings)
        assert (a["decide_by"], a["note"]) == ("2026-10-13", None)
        assert a["rule"] and a["entries"] and len(a["entries"]) == 1
        b = apply_for_removal(c, B, "abnormal", D("2026-09-30"), settings=settings)
        assert (b["decide_by"], b["decide_by_provisional"], b["note"]) == (None, None, WAITING_4)
        w = deadline_watch(c, D("2026-12-01"), 5, settings).set_index("uscc")
        assert w.loc[A, "due_date"] == D("2026-10-13") and bool(w.loc[A, "overdue"]) and pd.isna(w.loc[A, "note"])
        assert pd.isna(w.loc[B, "due_date"])
        assert not bool(w.loc[B, "overdue"]) and "查实" in str(w.loc[B, "note"])
        qa, qb = request_of(c, a["id"]), request_of(c, b["id"])
        assert qa is not None and qb is not None
        assert application_decide_by(c, qa, settings) == (D("2026-10-13"), None, None)
        assert application_decide_by(c, qb, settings) == (None, None, WAITING_4)


B = "91110105MA00000025"


def test_cause_2_application_is_due_from_publication_when_it_came_after_receipt(  # type: ignore[no-untyped-def]
        engine: Engine, settings: Settings, cli_env, monkeypatch) -> None:
    """Cause 2 (instant information not disclosed): the application is decided 5 WD from receipt
    or publication, whichever is later (68号令 art. 12; domain.md §3.3). Received Wed 2026-07-15,
    published (ordered_disclosure_done) Thu 07-16: the night's removal is due Thu 07-23 — and so is
    the application, never the receipt's Wed 07-22 (an outsider's acceptance pass, s35:
    ``credit status --json`` said 07-22 beside a removal due 07-23)."""
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        reg(c, B)
        report(c, B, 2025, "2026-05-01")
        finding(c, "F1", B, "ordered_disclosure_overdue", "2026-07-06")
        night(c, settings, "2026-07-06")
        assert [d["cause_code"] for d in decisions(c, action="include", uscc=B)] == ["instant_info_not_disclosed"]
        night(c, settings, "2026-07-15")
        published(c, "2026-07-15")
    r = CliRunner().invoke(_cli(), ["repair", "apply", B, "--roster", "abnormal", "--received", "2026-07-15"])
    assert r.exit_code == 0, r.output
    assert "decide by 2026-07-22" in " ".join(r.output.split())   # on receipt, the publication not yet known
    app_id = int(r.output.split("application ")[1].split()[0])
    with engine.begin() as c:
        finding(c, "F2", B, "ordered_disclosure_done", "2026-07-16")
        # known before the night decides: the watch and the applicant already count from publication
        w = deadline_watch(c, D("2026-07-16"), 10, settings)
        assert w["due_date"].tolist() == [D("2026-07-23")], w
        night(c, settings, "2026-07-16")
        published(c, "2026-07-16")
        removal = [d for d in decisions(c, uscc=B) if d["request_id"] == app_id]
        assert [d["due_date"] for d in removal] == [D("2026-07-23")], removal
        q = request_of(c, app_id)
        assert q is not None and application_decide_by(c, q, settings) == (D("2026-07-23"), None, None)
        apps = [a for e in entity_rosters(c, B, D("2026-07-16"), settings) for a in e["applications"]]
        assert [a["decide_by"] for a in apps] == ["2026-07-23"], apps
    r = CliRunner().invoke(_cli(), ["status", B, "--as-of", "2026-07-16", "--json"])
    shown = [a["decide_by"] for e in json.loads(r.output)["rosters"] for a in e["applications"]]
    assert shown == ["2026-07-23"], r.output
