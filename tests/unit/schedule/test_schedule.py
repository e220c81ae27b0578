"""config/schedule.yaml: the night in the bureau's clock, and a schedule that cannot work is refused."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from credit.schedule import load_schedule
from credit.settings import Settings, bundled


def settings_with(tmp_path: Path, **changes: object) -> Settings:
    folder = tmp_path / "config"
    shutil.copytree(bundled("config"), folder)
    doc = yaml.safe_load((folder / "schedule.yaml").read_text(encoding="utf-8"))
    doc.update(changes)
    (folder / "schedule.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return Settings(config_dir=folder)


def test_the_bundled_schedule_runs_at_one_in_beijing_for_the_night_before() -> None:
    s = load_schedule(Settings())
    assert s.timezone == "Asia/Shanghai" and s.cron == "0 1 * * *"
    assert s.logical_start(date(2026, 7, 13)).astimezone(UTC) == datetime(2026, 7, 12, 17, 0, tzinfo=UTC)
    # 17:00 UTC on the 12th is already the 13th in Beijing: the night is the 13th, not the UTC date.
    assert s.night_of(datetime(2026, 7, 12, 17, 0, tzinfo=UTC)) == date(2026, 7, 13)
    assert s.night_of(datetime(2026, 7, 12, 15, 59, tzinfo=UTC)) == date(2026, 7, 12)
    assert s.lateness == timedelta(hours=30)  # 01:00 on D to 07:00 on D+1
    assert s.retries == 3 and s.drop_wait == timedelta(hours=5)


def test_a_deadline_before_the_drop_wait_ends_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="published_by"):
        load_schedule(settings_with(tmp_path, published_by="05:00"))  # the wait lasts until 06:00


def test_an_unknown_timezone_or_a_bad_time_is_refused_when_read(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="Asia/Beijing"):
        load_schedule(settings_with(tmp_path, timezone="Asia/Beijing"))
    with pytest.raises(ValueError, match="run_at"):
        load_schedule(settings_with(tmp_path / "b", run_at="1am"))
