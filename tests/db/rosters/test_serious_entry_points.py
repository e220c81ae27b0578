"""Where officers act on the serious-list procedure (domain.md §4): the command line (`credit serious
…`), the bureau API (`/v1/bureau/serious/…`), and what `credit status --json` and the roster export
show of the procedure's steps."""

from __future__ import annotations

import csv
import io
import json

import typer
from typer.testing import CliRunner

from credit.cli.commands import rosters as cmd
from credit.cli.commands import serious as scmd
from credit.rosters.export import export_roster
from credit.rosters.read import EXPORT_COLUMNS
from tests.db.api.support import Live, live  # noqa: F401  (the fixture)
from tests.db.rosters.helpers import D, decisions, night, penalty, published, reg

A = "91110105MA0000001A"   # a valid USCC is needed by the command line; helpers' codes are shaped only
V = "91110105MA2B3C4D1E"


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("status")(cmd.status_command)
    app.add_typer(scmd.app, name="serious")
    return app


def test_cli_assess_consent_status_and_export(engine, settings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from credit.contract.uscc import calc_check_character

    u = V[:17] + calc_check_character(V[:17])
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    monkeypatch.setattr(scmd, "_engine", lambda: engine)
    with engine.begin() as c:
        reg(c, u)
        penalty(c, "P1", u, "2026-03-02")
        night(c, settings, "2026-03-02")
        published(c, "2026-03-10")
    app = _cli()
    r = CliRunner().invoke(app, ["status", u, "--as-of", "2026-03-10", "--json"])
    assert r.exit_code == 0, r.output
    [proc] = json.loads(r.output)["serious_procedures"]
    assert proc["next_step"] == "assess" and [s["step"] for s in proc["steps"]] == ["proposal", "notice"]
    r = CliRunner().invoke(app, ["serious", "assess", "P1", "--officer", "王科长", "--on", "2026-03-09",
                                 "--intent", "intentional", "--frequency", "首次", "--harm", "较大", "--outcome", "list"])
    assert r.exit_code == 2 and "陈述申辩期限" in r.output
    r = CliRunner().invoke(app, ["serious", "assess", "P1", "--officer", "王科长", "--on", "2026-03-10",
                                 "--intent", "intentional", "--frequency", "首次", "--harm", "较大", "--outcome", "list"])
    assert r.exit_code == 0 and "(assess)" in r.output, r.output
    r = CliRunner().invoke(app, ["serious", "list", "--on", "2026-03-10", "--json"])
    assert json.loads(r.output)[0]["next_step"] == "consent"
    r = CliRunner().invoke(app, ["serious", "consent", "P1", "--officer", "王科长", "--on", "2026-03-11",
                                 "--authority", "北京市市场监督管理局", "--consented-on", "2026-03-11",
                                 "--document", "京市监信函〔2026〕3号"])
    assert r.exit_code == 0, r.output
    with engine.begin() as c:
        night(c, settings, "2026-03-11")
        published(c, "2026-03-11")
    r = CliRunner().invoke(app, ["status", u, "--as-of", "2026-03-11", "--json"])
    out = json.loads(r.output)
    assert out["serious_procedures"] == []
    [entry] = out["rosters"]
    assert [(s["step"], s["date"]) for s in entry["steps"]] == [
        ("proposal", "2026-03-02"), ("notice", "2026-03-02"), ("assess", "2026-03-10"), ("consent", "2026-03-11"),
        ("include", "2026-03-11"), ("publish", "2026-03-11")]
    with engine.begin() as c:
        data = export_roster(c, "serious", D("2026-03-11"), "csv")
        js = json.loads(export_roster(c, "serious", D("2026-03-11"), "json"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [*EXPORT_COLUMNS, "steps"]                  # appended at the end only
    assert rows[1][-1].startswith("告知（陈述、申辩、听证权利） 2026-03-02") and "公示 2026-03-11" in rows[1][-1]
    assert "裁量" not in rows[1][-1]                               # the assessment is a working paper
    assert [s["step"] for s in js[0]["steps"]] == ["notice", "include", "publish"]
    with engine.begin() as c:
        assert export_roster(c, "abnormal", D("2026-03-11"), "csv").decode("utf-8-sig").splitlines()[0].split(",") == EXPORT_COLUMNS


def test_bureau_api_assessment_and_consent(live: Live) -> None:  # noqa: F811
    with live.engine.begin() as c:
        reg(c, A)
        penalty(c, "P1", A, "2026-03-02")
        night(c, live.settings, "2026-03-02")
    body = {"on": "2026-03-10", "intent": "negligent", "frequency": "首次", "harm": "轻微", "outcome": "list"}
    with live.client("consumer") as h:
        assert h.post("/v1/bureau/serious/P1/assessment", json=body).status_code in (401, 403)
    with live.client("bureau") as h:
        got = h.get("/v1/bureau/serious/procedures", params={"on": "2026-03-10"}).json()["procedures"]
        assert [p["next_step"] for p in got] == ["assess"]
        early = h.post("/v1/bureau/serious/P1/assessment", json={**body, "on": "2026-03-05"})
        assert early.status_code == 409 and "陈述申辩期限" in early.text
        ok = h.post("/v1/bureau/serious/P1/assessment", json=body)
        assert ok.status_code == 201 and ok.json()[0]["action"] == "assess", ok.text
        no = h.post("/v1/bureau/serious/P1/consent", json={"on": "2026-03-12", "authority": "北京市市场监督管理局",
                                                           "consented_on": "2026-03-12", "document_no": "京市监信函〔2026〕4号",
                                                           "outcome": "refused"})
        assert no.status_code == 201 and [s["action"] for s in no.json()] == ["consent", "decline"]
    with live.engine.begin() as c:
        night(c, live.settings, "2026-03-13")
        assert decisions(c, action="include") == [] and decisions(c, action="decline")[0]["decision_no"]
