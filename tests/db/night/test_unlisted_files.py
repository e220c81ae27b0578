"""A file in the night's folder that manifest.json does not list is not read (contracts.md §1: only
listed files are the night's; a source absent from the manifest did not change). It refuses
nothing, but the night's summary, its printed form and its log name every such file, so that an
operator learns that a file meant to be sent was not read (s28drop, gap 1)."""

from __future__ import annotations

import io
import logging
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from rich.console import Console
from sqlalchemy.engine import Engine

from credit.cli.summary import print_summary
from credit.night.records import NightSummary
from credit.night.steps import run_night
from credit.settings import Settings
from tests.dropkit import code, csv_file, registration_row, write_night

N13 = date(2026, 7, 13)


def test_unlisted_files_are_named_in_the_summary_and_the_log(settings: Settings, engine: Engine, tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    drop = tmp_path / "drop"
    folder = write_night(drop, N13, {"registration.csv": csv_file("registration", "full",
                                                                  [registration_row(code())])})
    (folder / "penalties.csv").write_text("case_no,uscc\n")       # meant to be sent, forgotten in the manifest
    (folder / "notes.txt").write_text("x")
    (folder / "extra").mkdir()
    (folder / "b\udcff.csv".encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")).write_text("")
    with caplog.at_level(logging.INFO, logger="credit.night"):
        summary = run_night(drop, N13, settings)
    names = ["b\\xff.csv", "extra/", "notes.txt", "penalties.csv"]
    assert summary["unlisted"] == {"count": 4, "files": names}
    assert [f["file"] for f in summary["files"]] == ["registration.csv"]
    with engine.connect() as c:
        stored = c.execute(sa.text("select summary -> 'unlisted' from night_runs where night = :n"), {"n": N13}).scalar()
    assert stored == {"count": 4, "files": names}
    for name in names:
        assert any(name in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records), name
        assert any(name in r.getMessage() and "unlisted_file" in r.getMessage()
                   for r in caplog.records if r.levelno == logging.INFO), name
    out = io.StringIO()
    print_summary(Console(file=out, width=200), summary)
    printed = out.getvalue()
    assert "Traceback" not in printed
    for name in names:
        assert name in printed


def test_a_drop_with_only_listed_files_has_no_unlisted_part(settings: Settings, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", [registration_row(code())])})
    summary: NightSummary = run_night(drop, N13, settings)
    assert "unlisted" not in summary
