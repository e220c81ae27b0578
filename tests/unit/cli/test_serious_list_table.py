"""``credit serious list`` shows where each procedure stands in Chinese (办理中, 列入中, 不予列入 …);
``--json`` keeps the codes (contracts.md §2: extend only compatibly)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from typer.testing import CliRunner

from credit.cli.commands import serious as scmd
from credit.cli.main import app
from credit.rosters.labels import PROCEDURE_STATE_LABELS


def _view(case_no: str, state: str) -> dict[str, Any]:
    return {"case_no": case_no, "uscc": "91110105MA0000001A", "name": "某公司", "family": "food_safety",
            "family_label": None, "authority": "北京市朝阳区市场监督管理局", "authority_code": "110105",
            "state": state,
            "consent_required": False, "automatic": False,
            "steps": [{"step": "proposal", "label": "拟列入", "date": "2026-07-13", "decision_no": None,
                       "actor": "night", "detail": None}],
            "next_step": None, "next_step_label": None, "next_by": None, "next_by_provisional": None,
            "next_by_note": None, "next_actor": None, "entry_id": None}


STATES = ["pending", "listed", "removed", "declined", "revoked"]


@pytest.fixture()
def views(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import credit.rosters.serious as serious

    class _Engine:
        @contextmanager
        def connect(self) -> Iterator[None]:
            yield None

    monkeypatch.setattr(scmd, "_engine", _Engine)
    monkeypatch.setattr(serious, "procedures",
                        lambda conn, day, uscc, open_only: [_view(f"P{i}", s) for i, s in enumerate(STATES)])
    yield


@pytest.mark.usefixtures("views")
def test_the_table_names_each_state_in_chinese() -> None:
    r = CliRunner().invoke(app, ["serious", "list", "--on", "2026-07-15", "--all"])
    assert r.exit_code == 0, r.output
    rows = {line.split("│")[1].strip(): line.split("│")[4].strip() for line in r.output.splitlines()
            if line.startswith("│") and line.split("│")[1].strip().startswith("P")}
    assert rows == {"P0": "办理中（尚未列入）", "P1": "列入中", "P2": "已移出", "P3": "不予列入", "P4": "已撤销"}
    assert set(PROCEDURE_STATE_LABELS) == set(STATES)


@pytest.mark.usefixtures("views")
def test_json_keeps_the_codes() -> None:
    r = CliRunner().invoke(app, ["serious", "list", "--on", "2026-07-15", "--all", "--json"])
    assert [p["state"] for p in json.loads(r.output)] == STATES
