"""The serious list's procedure steps as known after night K (issue 13: record time beside legal
time, domain.md §4): a step recorded after night K is absent when the steps are asked as known on K.

Golden case on the 2026 calendar: a heavier food-safety penalty decided 2026-03-02 is proposed and
notified by that night; the officer assesses on 03-10 and records the consent on 03-11; the night of
03-11 lists and publishes. The drop of 03-12 brings the penalty's revocation (revoked 03-12) and that
night revokes the listing. Asked as of 03-12 as known after the night of 03-11, the listing stands
with its six steps and no revocation; as known after 03-02, only the proposal and the notice exist.
"""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from credit.cli.commands import rosters as cmd
from credit.rosters.export import export_frame
from credit.rosters.known import known_at
from credit.rosters.read import entity_rosters
from credit.rosters.serious import entry_steps, listing_steps, procedures
from credit.rosters.serious_officers import record_assessment, record_consent
from tests.db.api.support import Live, live  # noqa: F401  (the fixture)
from tests.db.rosters.helpers import D, night, penalty, published, reg, revoke_penalty

A = "91110105MA00000012"   # a valid code: the command line checks it (GB 32100)
LISTED = ["proposal", "notice", "assess", "consent", "include", "publish"]


def _story(c, settings) -> None:  # type: ignore[no-untyped-def]
    reg(c, A)
    penalty(c, "P1", A, "2026-03-02")
    night(c, settings, "2026-03-02")
    published(c, "2026-03-02")
    record_assessment(c, "P1", officer="officer:王科长", on=D("2026-03-10"), intent="intentional",
                      frequency="首次", harm="较大", outcome="list", settings=settings)
    record_consent(c, "P1", officer="officer:王科长", on=D("2026-03-11"), consenting_authority="北京市市场监督管理局",
                   consented_on=D("2026-03-11"), document_no="京市监信函〔2026〕3号", settings=settings)
    night(c, settings, "2026-03-11")
    published(c, "2026-03-11")
    revoke_penalty(c, "P1", "2026-03-12")
    night(c, settings, "2026-03-12")
    published(c, "2026-03-12")


def _names(steps) -> list[str]:  # type: ignore[no-untyped-def]
    return [s["step"] for s in steps]


def test_steps_recorded_after_night_k_are_absent_as_known_on_k(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _story(c, settings)
        k02, k11 = known_at(c, D("2026-03-02")), known_at(c, D("2026-03-11"))
        on = D("2026-03-12")
        # today's record: the listing was revoked on 03-12
        [now] = procedures(c, on, A, settings=settings)
        assert _names(now["steps"]) == [*LISTED, "revoke"] and now["state"] == "revoked"
        # as known after 03-11: listed, no revocation yet
        [then] = procedures(c, on, A, settings=settings, known=k11)
        assert _names(then["steps"]) == LISTED and then["state"] == "listed"
        # as known after 03-02: the proposal and the notice, the assessment still owed
        [first] = procedures(c, on, A, settings=settings, known=k02)
        assert _names(first["steps"]) == ["proposal", "notice"] and first["next_step"] == "assess"
        assert procedures(c, on, A, open_only=True, settings=settings, known=k11) == []
        # the entry's steps and the export's steps column follow the same record
        [steps] = entry_steps(c, on, A, settings, known=k11).values()
        assert _names(steps) == LISTED
        [entry] = entity_rosters(c, A, on, settings, k11)
        assert entry["state"] == "listed" and _names(entry["steps"]) == LISTED
        assert [_names(v) for v in listing_steps(c, on, settings, known=k11).values()] == [["notice", "include", "publish"]]
        assert "revoke" in _names(next(iter(listing_steps(c, on, settings).values())))
        df = export_frame(c, "serious", on, k11)
        assert [_names(s) for s in df["steps"]] == [["notice", "include", "publish"]]


def test_status_json_as_known_on_k(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _story(c, settings)
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    app = typer.Typer()
    app.command("status")(cmd.status_command)
    app.command("noop")(lambda: None)
    r = CliRunner().invoke(app, ["status", A, "--as-of", "2026-03-12", "--known-at", "2026-03-02", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    [proc] = out["serious_procedures"]
    assert _names(proc["steps"]) == ["proposal", "notice"] and proc["next_step"] == "assess"
    assert out["rosters"] == []


def test_bureau_api_procedures_as_known_on_k(live: Live) -> None:  # noqa: F811
    with live.engine.begin() as c:
        _story(c, live.settings)
    with live.client("bureau") as h:
        r = h.get("/v1/bureau/serious/procedures", params={"on": "2026-03-12", "open": "false", "known_at": "2026-03-02"})
        assert r.status_code == 200, r.text
        [proc] = r.json()["procedures"]
        assert _names(proc["steps"]) == ["proposal", "notice"] and r.json()["known_at"]["night"] == "2026-03-02"
        [now] = h.get("/v1/bureau/serious/procedures", params={"on": "2026-03-12", "open": "false"}).json()["procedures"]
        assert _names(now["steps"]) == [*LISTED, "revoke"]
