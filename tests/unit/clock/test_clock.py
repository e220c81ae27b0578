"""One bureau clock (issue 15): "today" is the bureau's calendar day (config/schedule.yaml
``timezone``), not the machine's UTC date. Frozen just after 16:00 UTC, it is already the next day
in Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from credit import clock
from credit.api.validation import bureau_today, future_date_problem
from credit.settings import Settings, bundled

AFTER_4PM_UTC = datetime(2026, 9, 30, 16, 5, tzinfo=UTC)    # 2026-10-01 00:05 in Shanghai (国庆)


@pytest.fixture()
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(clock, "utc_now", lambda: AFTER_4PM_UTC)
    return AFTER_4PM_UTC


def test_today_is_the_bureaus_day_not_the_machines(frozen: datetime) -> None:
    assert frozen.date() == date(2026, 9, 30)
    assert clock.today() == date(2026, 10, 1)
    assert clock.now().utcoffset() is not None and clock.now().hour == 0
    assert bureau_today() == date(2026, 10, 1)              # the API's and the CLI's received-date check
    assert future_date_problem(date(2026, 10, 1), bureau_today(), "received") is None
    assert clock.stamp() == "2026-10-01 00:05:00 (Asia/Shanghai)"


def test_the_zone_comes_from_schedule_yaml(frozen: datetime, tmp_path: Path) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    for f in bundled("config").glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "schedule.yaml":
            text = text.replace("timezone: Asia/Shanghai", "timezone: Asia/Urumqi")
        (folder / f.name).write_text(text, encoding="utf-8")
    s = Settings(config_dir=folder)
    assert clock.zone(s).key == "Asia/Urumqi" and clock.today(s) == date(2026, 9, 30)   # UTC+6: 22:05


def test_the_api_service_defaults_to_the_bureau_clock(frozen: datetime, tmp_path: Path) -> None:
    from credit.api.app import create_app

    app = create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", home=tmp_path))
    assert app.state.credit.today() == date(2026, 10, 1)


def test_no_module_reads_the_machines_date() -> None:
    """`date.today()` and naive `datetime.now()` give the machine's day; only credit.clock reads the clock."""
    root = Path(clock.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.name != "clock.py" and ("date.today()" in p.read_text(encoding="utf-8")
                                              or "datetime.now()" in p.read_text(encoding="utf-8"))]
    assert offenders == []
