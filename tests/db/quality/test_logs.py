"""The night's logs (issue 15): the summary as readable lines from publish, no GX chatter."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from credit.night import steps
from credit.settings import Settings
from tests.dropkit import code, csv_file, registration_row, write_night

N13 = date(2026, 7, 13)


def test_publish_logs_the_summary_and_great_expectations_stays_quiet(settings: Settings, tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    rows = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(10)]
    bad = [dict(registration_row(code(body="MA2B3C99")), uscc="NOT-A-CODE")]
    write_night(tmp_path / "drop", N13, {"registration.csv": csv_file("registration", "full", rows + bad)})
    with caplog.at_level(logging.INFO):
        steps.run_night(tmp_path / "drop", N13, settings)
    ours = [r.getMessage() for r in caplog.records if r.name == "credit.night.steps"]
    assert ours[0].startswith("night 2026-07-13 published")
    assert "files: 1, rows in 11, accepted 10, quarantined 1" in ours
    assert any(line.startswith("  registration.csv (registration, full): rows in 11") for line in ours)
    assert any(line.startswith("decisions: ") for line in ours)
    assert any(line.startswith("stages (s): ingest registration.csv") for line in ours)
    gx = [r for r in caplog.records if r.name.startswith("great_expectations") and r.levelno < logging.WARNING]
    assert gx == []
