"""``--known-at K`` for a K that is no published night (s34, an outsider's acceptance pass).

contracts.md §2: "--known-at K: as the record stood after night K". The record does not change
between nights, so for a day skipped in a gap it is the record after the latest published night
on or before K, and that is the night printed and the night the data run through; before the
first night there is no record to answer from, and the command refuses (exit 2) rather than
print an empty roster (on main: exit 0, no rows, "as recorded after night <K>")."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from credit.cli.commands import rosters as cmd
from credit.rosters.known import known_at
from tests.db.rosters.helpers import D, unreachable_story

A = "91110105MA00000012"


def _two_nights(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        unreachable_story(c, settings, A)


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("status")(cmd.status_command)
    app.add_typer(cmd.roster_app, name="roster")
    return app


def test_known_at_a_day_between_nights_is_the_record_of_the_night_before(engine, settings) -> None:  # type: ignore[no-untyped-def]
    _two_nights(engine, settings)
    with engine.connect() as c:
        k = known_at(c, D("2026-03-20"))
        k2 = known_at(c, D("2026-03-02"))
        assert k is not None and k2 is not None and (k.night, k.seq) == (D("2026-03-02"), k2.seq)
        with pytest.raises(LookupError, match="no night published on or before 2026-03-01"):   # NoNightPublished
            known_at(c, D("2026-03-01"))


def test_cli_known_at_between_nights_names_that_night_and_before_the_first_refuses(engine, settings,  # type: ignore[no-untyped-def]
                                                                                 monkeypatch) -> None:
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    _two_nights(engine, settings)
    r = CliRunner().invoke(_cli(), ["status", A, "--known-at", "2026-03-20", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["known_at"]["night"] == "2026-03-02" and out["data_through"] == "2026-03-02"
    assert out["as_of"] == "2026-03-02" and [e["state"] for e in out["rosters"]] == ["listed"]
    r = CliRunner().invoke(_cli(), ["status", A, "--known-at", "2026-03-20"])
    said = " ".join(r.output.split())
    assert "数据截至批次 data through 2026-03-02；依据第 2026-03-02 批次处理后的记录 as recorded after night 2026-03-02" in said, r.output
    r = CliRunner().invoke(_cli(), ["roster", "export", "--roster", "abnormal", "--known-at", "2026-03-20",
                                    "--format", "json"])
    assert r.exit_code == 0, r.output
    said = " ".join(r.output.split())
    assert "数据截至批次 data through 2026-03-02；依据第 2026-03-02 批次处理后的记录 as recorded after night 2026-03-02" in said, r.output
    for args in (["status", A], ["roster", "export", "--roster", "abnormal", "--format", "json"]):
        r = CliRunner().invoke(_cli(), [*args, "--known-at", "2026-03-01"])
        assert r.exit_code == 2, r.output
        assert "no night published on or before 2026-03-01" in " ".join(r.output.split()), r.output
