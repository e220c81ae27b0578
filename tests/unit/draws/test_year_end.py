"""A draw planned in late December, before the next year's holiday notice (domain.md §12, §8)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from credit.draws.store import schedule_days
from credit.settings import Settings, bundled


def _config(tmp_path: Path) -> Settings:
    folder = tmp_path / "config"
    shutil.copytree(bundled("config"), folder)
    return Settings(config_dir=folder)


def test_the_cut_window_note_published_in_the_plan_is_chinese_first(tmp_path: Path) -> None:
    days, note = schedule_days(_config(tmp_path), date(2026, 12, 20), 5, 40)
    assert (days[0], days[-1]) == ("2026-12-25", "2026-12-31")
    assert note is not None
    # The note goes into the public plan and record: the public reads Chinese (English in brackets).
    assert re.match(r"[\u4e00-\u9fff]", note), note
    assert "2026-12-31" in note and "2027" in note and "provisional" in note


def test_a_published_next_year_gives_the_whole_window(tmp_path: Path) -> None:
    settings = _config(tmp_path)
    path = Path(settings.config_dir) / "calendar.yaml"
    # A hypothetical 2027 schedule, only to exercise the mechanism (not the real notice).
    path.write_text(path.read_text(encoding="utf-8").replace("years: {}", (
        "years:\n  2027:\n    notice: test\n    holidays: [2027-01-01, 2027-10-01]\n    workdays: []\n")), encoding="utf-8")
    days, note = schedule_days(settings, date(2026, 12, 20), 5, 40)
    assert note is None and len(days) == 40
    assert days[0] == "2026-12-25" and "2027-01-01" not in days and days[5] == "2027-01-04"


def test_the_window_is_cut_at_an_unknown_year_between_known_ones(tmp_path: Path) -> None:
    # domain.md §12: a year entered in calendar.yaml (a hypothetical 2028) while 2027's notice is not
    # published must not carry the window over 2027 into 2028 as though 2027 had no working days.
    settings = _config(tmp_path)
    path = Path(settings.config_dir) / "calendar.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("years: {}", (
        "years:\n  2028:\n    notice: test\n    holidays: [2028-01-03, 2028-05-01, 2028-05-02, 2028-10-02, 2028-10-03]\n")), encoding="utf-8")
    days, note = schedule_days(settings, date(2026, 12, 20), 5, 40)
    assert (days[0], days[-1]) == ("2026-12-25", "2026-12-31")
    assert note is not None and "2026-12-31" in note and "2027" in note
