"""Logs (issue 15): JSON lines on demand, Great Expectations quiet, the night's summary as plain lines."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from typing import Any, cast

import pytest

from credit.logs import JSON_HANDLER, JsonFormatter, configure_logging, quiet_great_expectations
from credit.night.records import NightSummary
from credit.night.summary_lines import summary_lines


@pytest.fixture()
def root_saved() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_time_level_logger_message_and_traceback() -> None:
    try:
        raise ValueError("坏")
    except ValueError:
        record = logging.getLogger("credit.x").makeRecord("credit.x", logging.ERROR, __file__, 1, "night %s 失败",
                                                          ("2026-07-13",), sys.exc_info())
    doc = json.loads(JsonFormatter().format(record))
    assert (doc["level"], doc["logger"], doc["message"]) == ("error", "credit.x", "night 2026-07-13 失败")
    assert doc["ts"].endswith("+00:00") and "ValueError: 坏" in doc["exc"]


def test_configure_logging_json_once_text_untouched(root_saved: None) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    configure_logging("text")
    assert root.handlers == before
    configure_logging("json")
    configure_logging("json")
    assert [h.get_name() for h in root.handlers] == [JSON_HANDLER]


def test_great_expectations_loggers_set_to_info_by_its_modules_are_lowered() -> None:
    child = logging.getLogger("great_expectations.data_context.types.base")
    child.setLevel(logging.INFO)            # what that module does when imported
    quiet_great_expectations()
    assert child.level == logging.WARNING and not child.isEnabledFor(logging.INFO)


def test_summary_lines_are_readable_without_dicts() -> None:
    summary = cast(NightSummary, {
        "night": "2026-07-13", "manifest_digest": "a" * 64, "config_version": "quality-1",
        "files": [{"file": "registration.csv", "source": "registration", "mode": "full", "rows_in": 200,
                   "accepted": 198, "quarantined": 2, "failures": [], "warnings": []}],
        "merges": [{"source": "registration", "staged": 198, "new": 198, "changed": 0, "dropped": 0}],
        "rosters": {"decisions": 3, "by_roster_action": {"abnormal:include": 3}, "config_version": "r",
                    "chain_head": {"seq": 3, "hash": "f" * 64}},
        "grading": {"graded": 198, "distribution": {"A": 150, "B": 40, "C": 8, "D": 0}, "warnings": [],
                    "config_version": "g", "previous_night": None},
        "stages": {"ingest registration.csv": 0.5, "store": 0.25},
    })
    lines = summary_lines(summary)
    assert lines[0] == "night 2026-07-13 published (manifest aaaaaaaaaaaa, config quality-1)"
    assert "files: 1, rows in 200, accepted 198, quarantined 2" in lines
    assert "  registration.csv (registration, full): rows in 200, accepted 198, quarantined 2 (1.00%)" in lines
    assert "decisions: 3 (abnormal:include 3)" in lines
    assert "tiers: graded 198 (A 150, B 40, C 8, D 0)" in lines
    assert lines[-1] == "stages (s): ingest registration.csv 0.50, store 0.25"
    assert not any("{" in line for line in lines)
    empty: dict[str, Any] = {"night": "2026-07-14", "already_published": True}
    assert summary_lines(cast(NightSummary, empty))[0].startswith("night 2026-07-14 was already published")
