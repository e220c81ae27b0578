"""The night's month partitions are made before the publishing transaction (credit.night.steps.partitions_ahead),
so tonight's quarantined rows land in their month and the trigger on ``night_runs`` finds nothing to move."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from credit.night import steps
from credit.settings import Settings
from tests.dropkit import code, csv_file, registration_row, write_night

NIGHT = date(2026, 7, 13)


def _partitions(c: Connection) -> list[str]:
    return [str(p) for p in c.execute(sa.text(
        "select inhrelid::regclass::text from pg_inherits where inhparent = 'quarantine'::regclass order by 1"))
        .scalars()]


def _drop(tmp_path: Path) -> Path:
    rows = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(5)]
    bad = [dict(registration_row(code(body="MA2B3C99")), established_on="2026-02-30")]
    drop = tmp_path / "drop"
    write_night(drop, NIGHT, {"registration.csv": csv_file("registration", "full", rows + bad)})
    return drop


def _seen_at_publish(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> list[list[str]]:
    """The quarantine's partitions as the publishing transaction begins (read on a connection of its own)."""
    seen: list[list[str]] = []
    publish: Callable[..., Any] = steps._publish

    def spy(*args: Any, **kwargs: Any) -> Any:
        with engine.connect() as c:
            seen.append(_partitions(c))
        return publish(*args, **kwargs)

    monkeypatch.setattr(steps, "_publish", spy)
    return seen


def test_the_nights_month_exists_before_the_publishing_transaction(settings: Settings, engine: Engine,
                                                                   tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with engine.connect() as c:
        assert "quarantine_2026_07" not in _partitions(c)
    seen = _seen_at_publish(monkeypatch, engine)
    steps.run_night(_drop(tmp_path), NIGHT, settings)
    assert seen and {"quarantine_2026_07", "quarantine_2026_08", "quarantine_2026_09"} <= set(seen[0])
    with engine.connect() as c:
        where = {str(t) for t in c.execute(sa.text("select tableoid::regclass::text from quarantine")).scalars()}
        assert where == {"quarantine_2026_07"}


def test_a_failure_making_the_months_ahead_is_a_warning_and_the_trigger_makes_them(
        settings: Settings, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(conn: Connection, night: date) -> int:
        conn.exec_driver_sql("select credit_no_such_function()")
        return 0

    monkeypatch.setattr(steps.retention, "ensure_ahead", broken)
    seen = _seen_at_publish(monkeypatch, engine)
    with caplog.at_level(logging.WARNING, logger="credit.night"):
        summary = steps.run_night(_drop(tmp_path), NIGHT, settings)
    assert not summary.get("already_published")
    assert any("partitions ahead" in r.getMessage() for r in caplog.records)
    assert seen and "quarantine_2026_07" not in seen[0]
    with engine.connect() as c:   # made by the trigger inside the publish, the rows moved into it
        where = {str(t) for t in c.execute(sa.text("select tableoid::regclass::text from quarantine")).scalars()}
        assert where == {"quarantine_2026_07"}


def test_a_reader_holding_the_quarantine_makes_it_give_up_rather_than_wait(engine: Engine,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(steps, "PARTITIONS_AHEAD_LOCK_TIMEOUT", "200ms")
    with engine.connect() as reader, reader.begin():
        reader.execute(sa.text("select count(*) from quarantine")).scalar_one()   # holds every partition
        assert steps.partitions_ahead(engine, date(2031, 5, 6)) is None
    assert steps.partitions_ahead(engine, date(2031, 5, 6)) == 3
    assert steps.partitions_ahead(engine, date(2031, 5, 7)) == 0
