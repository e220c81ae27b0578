"""The recovery commands the operators copy from the docs select the night they mean.

A run's logical date is its night at ``run_at`` in the bureau's clock (2026-07-15 01:00 +08:00 =
2026-07-14 17:00 UTC), and Airflow's CLI reads a bare date as 00:00 UTC: ``airflow tasks clear
credit_nightly -s 2026-07-15 -e 2026-07-15`` matches no run and clears nothing without a word, and
``backfill create --from-date 2026-07-14 --to-date 2026-07-15`` takes night 15 and not night 14
(seen on the local CeleryExecutor cluster). Every date in a documented command must be a run's
logical date, parsed as the CLI parses it.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from credit.schedule import load_schedule

REPO = Path(__file__).resolve().parents[3]
DOCS = [REPO / "docs" / "deploy.md", REPO / "dags" / "credit_nightly.py", REPO / "README.md"]
COMMAND = re.compile(r"airflow (?:tasks clear|backfill create)[^`]*")
DATE = re.compile(r"(?:-s|-e|--start-date|--end-date|--from-date|--to-date)\s+(\S+)")


def documented_dates() -> list[tuple[str, str]]:
    found = []
    for path in DOCS:
        for command in COMMAND.findall(path.read_text(encoding="utf-8")):
            found += [(path.name, value) for value in DATE.findall(command)]
    return found


def test_the_docs_name_the_recovery_commands() -> None:
    assert len(documented_dates()) >= 4  # clear -s/-e and backfill --from-date/--to-date at least


@pytest.mark.parametrize(("where", "value"), documented_dates())
def test_a_documented_date_is_a_runs_logical_date(where: str, value: str) -> None:
    timezone = pytest.importorskip("airflow._shared.timezones.timezone")  # what the CLI's `parsedate` is
    schedule = load_schedule()
    try:
        parsed: datetime = timezone.parse(value)
    except (ValueError, TypeError) as e:
        pytest.fail(f"{where}: {value!r} is not a date the CLI reads ({e})")
    night = schedule.night_of(parsed)
    assert parsed == schedule.logical_start(night), (
        f"{where}: {value} is {parsed.isoformat()}, no run's logical date; night {night}'s run has "
        f"{schedule.logical_start(night).isoformat()}")


def test_a_documented_backfill_runs_one_night_at_a_time() -> None:
    """A backfill keeps its own run limit (10 by default in Airflow 3), not the DAG's
    ``max_active_runs=1``: without ``--max-active-runs 1`` it starts up to ten nights together and
    every one after the first refuses with ``night_gap``."""
    backfills = [(path.name, command) for path in DOCS
                 for command in COMMAND.findall(path.read_text(encoding="utf-8"))
                 if command.startswith("airflow backfill create")]
    assert backfills
    for where, command in backfills:
        assert re.search(r"--max-active-runs\s+1\b", command), f"{where}: {command}"
