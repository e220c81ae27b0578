"""A roster export's ``removal_reason`` is the legal wording of the removal (contracts.md §2:
``cause`` and ``removal_reason`` are the Chinese legal wording), never an officer's free text: an
objection upheld on the workbench with a note gave the note as the reason in CSV, xlsx, JSON and
/v1/rosters (an outsider's acceptance pass, s36). The note stays in the decision's facts."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from sqlalchemy.engine import Connection, Engine

from credit.rosters import repair
from credit.rosters.certificates import entries_as_of
from credit.rosters.env import RosterEnv
from credit.rosters.export import export_frame, render
from credit.rosters.known import known_at
from credit.rosters.read import decision_feed, entity_rosters
from credit.rosters.repair import decide_objection, file_objection
from credit.rosters.requests import decisions_on
from credit.settings import Settings
from tests.db.rosters.helpers import D, decisions, finding, night, published, reg, report

A = "91110105MA0000001A"
NOTE = "经核实，该企业已于2026-06-20报送年报"


def _upheld(c: Connection, settings: Settings) -> None:
    reg(c, A)
    report(c, A, 2025, "2026-04-01")
    finding(c, "F1", A, "unreachable_address", "2026-07-14")
    night(c, settings, "2026-07-14")
    no = decisions(c)[0]["decision_no"]
    filed = file_objection(c, no, D("2026-08-13"), "地址可以联系", settings=settings)
    decide_objection(c, filed["id"], "upheld", D("2026-08-25"), "王科长", NOTE, settings=settings)


def test_an_upheld_objection_removes_with_the_rules_wording_and_keeps_the_note(engine: Engine,
                                                                              settings: Settings) -> None:
    with engine.begin() as c:
        _upheld(c, settings)
        wording = RosterEnv.load(settings).rules.find("any.revoke.objection_upheld", D("2026-08-25"))
        assert wording is not None and wording.reason
        [revoke] = decisions(c, action="revoke")
        df = export_frame(c, "abnormal", D("2026-08-25"))
    assert revoke["facts"]["note"] == NOTE               # the officer's note, in the decision's record
    [row] = df.to_dict("records")
    assert (row["state"], row["removal_reason"]) == ("removed", wording.reason)
    csv = pd.read_csv(io.BytesIO(render(df, "csv")), encoding="utf-8-sig", dtype=str)
    assert list(csv["removal_reason"]) == [wording.reason]
    assert [r["removal_reason"] for r in json.loads(render(df, "json"))] == [wording.reason]
    xlsx = pd.read_excel(io.BytesIO(render(df, "xlsx")), dtype=str)
    assert wording.reason in xlsx.to_string() and NOTE not in xlsx.to_string()


def test_an_upheld_objection_recorded_with_its_note_as_reason_shows_the_rules_wording(
        engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows written before 133e4b8 keep the note as the revocation's reason; the log is never
    updated, so every answer words them when read: the roster export, the entity's status, the
    screening/certificate entries, the change feed and the decisions on the objection."""
    real_insert = repair.insert_decisions

    def as_before(conn: Connection, rows: pd.DataFrame) -> pd.DataFrame:   # what decide_objection wrote then
        rows = rows.copy()
        rows.loc[rows["action"] == "revoke", "reason"] = NOTE
        return real_insert(conn, rows)

    monkeypatch.setattr(repair, "insert_decisions", as_before)
    with engine.begin() as c:
        _upheld(c, settings)
        monkeypatch.setattr(repair, "insert_decisions", real_insert)
        [revoke] = decisions(c, action="revoke")
        assert revoke["reason"] == NOTE == revoke["facts"]["note"]   # the old row, as recorded
        wording = RosterEnv.load(settings).rules.find("any.revoke.objection_upheld", D("2026-08-25"))
        assert wording is not None and wording.reason and wording.reason != NOTE
        [exported] = export_frame(c, "abnormal", D("2026-08-25")).to_dict("records")
        [status] = entity_rosters(c, A, D("2026-08-25"), settings)
        [screened] = entries_as_of(c, [A], D("2026-08-25"))[A]
        feed = {d["seq"]: d for d in decision_feed(c, 0, 100)}
        on_objection = decisions_on(c, int(revoke["request_id"]))
        night(c, settings, "2026-08-26")
        published(c, "2026-08-26")
        [known] = export_frame(c, "abnormal", D("2026-08-25"), known_at(c, D("2026-08-26"))).to_dict("records")
    assert (exported["state"], exported["removal_reason"]) == ("removed", wording.reason)
    assert (known["state"], known["removal_reason"]) == ("removed", wording.reason)   # as recorded after a night
    assert status["removal_reason"] == wording.reason
    assert screened["removal_reason"] == wording.reason
    assert feed[revoke["seq"]]["reason"] == wording.reason
    assert [d["reason"] for d in on_objection if d["action"] == "revoke"] == [wording.reason]
    assert NOTE not in repr((exported, known, status, screened, feed, on_objection))


def test_a_certificate_issued_when_the_note_was_shown_stays_valid(engine: Engine, settings: Settings,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A screening certificate issued before the old rows were worded when read carries the note as
    the removal_reason, as the log then answered. No decision changed since: its verification must
    not call it invalid ("answers do not match the decision log") because the answer is now worded."""
    from datetime import UTC, datetime

    from credit.rosters import certificates
    real_insert = repair.insert_decisions

    def as_before(conn: Connection, rows: pd.DataFrame) -> pd.DataFrame:   # what decide_objection wrote then
        rows = rows.copy()
        rows.loc[rows["action"] == "revoke", "reason"] = NOTE
        return real_insert(conn, rows)

    monkeypatch.setattr(repair, "insert_decisions", as_before)
    with engine.begin() as c:
        _upheld(c, settings)
        monkeypatch.setattr(repair, "insert_decisions", real_insert)
        published(c, "2026-08-25")
        # issued by the code of the time, which showed the stored reason as it was recorded
        monkeypatch.setattr(certificates, "shown_reasons", lambda reasons, versions, settings=None: list(reasons))
        cert = certificates.issue(c, [A], D("2026-08-25"), issuer="测试", config_version="t",
                                  issued_at=datetime(2026, 8, 26, tzinfo=UTC))
        monkeypatch.undo()
        assert cert["results"][0]["entries"][0]["removal_reason"] == NOTE
        checked = certificates.verify_certificate(c, cert)
    assert (checked.verdict, checked.differences) == ("valid", [])
