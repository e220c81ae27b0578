"""contracts.md §2 roster export, column ``name``: an entity a later ``full`` registration snapshot
no longer delivers (contracts.md §1: the snapshot replaces the source's state) keeps its listings —
decisions stand — and the roster still names it, by the last name the store held. It used to
export an empty name (and ``credit status`` ``"name": null``) for a listed entity."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
import typer
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.cli.commands import rosters as cmd
from credit.night.steps import run_night
from credit.rosters.export import export_roster
from credit.rosters.known import known_at
from credit.settings import Settings
from tests.dropkit import code, csv_file, registration_row, write_night

N13, N14 = date(2026, 7, 13), date(2026, 7, 14)
U = [code(body=f"MA2B3D{i:02d}") for i in range(10)]


def _names(engine: Engine, as_of: date, known: date | None = None) -> dict[str, str]:
    with engine.connect() as c:
        data = export_roster(c, "abnormal", as_of, "csv", known=known_at(c, known))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    return {r["uscc"].strip(): r["name"] for r in rows}


def test_an_entity_dropped_by_a_full_snapshot_keeps_its_name_on_the_roster(settings: Settings, engine: Engine,
                                                                             tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    drop = tmp_path / "drop"
    rows = [registration_row(u, name=f"杭州第{i}贸易有限公司") for i, u in enumerate(U)]
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", rows)})
    run_night(drop, N13, settings)
    assert _names(engine, N13)[U[9]] == "杭州第9贸易有限公司"   # listed: no 2025 annual report (domain.md §3)
    write_night(drop, N14, {"registration.csv": csv_file("registration", "full", rows[:9])})
    run_night(drop, N14, settings)
    assert _names(engine, N14)[U[9]] == "杭州第9贸易有限公司"
    assert _names(engine, N13)[U[9]] == "杭州第9贸易有限公司"
    assert _names(engine, N14, known=N14)[U[9]] == "杭州第9贸易有限公司"
    assert _names(engine, N13, known=N13)[U[9]] == "杭州第9贸易有限公司"
    assert _names(engine, N14)[U[0]] == "杭州第0贸易有限公司"
    # credit status --json names it too; it is no longer in the store: kind and status stay null
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    app = typer.Typer()
    app.command("status")(cmd.status_command)
    app.command("unused")(lambda: None)
    for args in ([], ["--known-at", "2026-07-14"], ["--as-of", "2026-07-13"]):
        r = CliRunner().invoke(app, ["status", U[9], "--json", *args])
        assert r.exit_code == 0, r.output
        got = json.loads(r.stdout)
        assert got["name"] == "杭州第9贸易有限公司" and got["registration_status"] is None
