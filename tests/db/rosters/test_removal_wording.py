"""A roster export's ``removal_reason`` is the legal wording of the removal (contracts.md §2:
``cause`` and ``removal_reason`` are the Chinese legal wording), never an officer's free text: an
objection upheld on the workbench with a note gave the note as the reason in CSV, xlsx, JSON and
/v1/rosters (an outsider's acceptance pass, s36). The note stays in the decision's facts."""

from __future__ import annotations

import io
import json

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from credit.rosters.env import RosterEnv
from credit.rosters.export import export_frame, render
from credit.rosters.repair import decide_objection, file_objection
from credit.settings import Settings
from tests.db.rosters.helpers import D, decisions, finding, night, reg, report

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
