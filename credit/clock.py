"""The bureau's clock: one source of truth for "now" and "today" (issue 15).

The bureau works on its own calendar day, not the machine's: a server set to UTC would otherwise
call 00:30 in Shanghai "yesterday", and a deadline watch asked for "today" after 16:00 UTC would
answer for the wrong day (working days, domain.md §12, are counted on the bureau's calendar).
The zone is the ``timezone`` of ``config/schedule.yaml`` — the same clock that says when night D
runs (:mod:`credit.schedule`); nothing else in the package reads a time zone or the wall clock
for a "today". Stored instants (``timestamptz``) stay instants; this module decides only what
day and time they are *for the bureau*.

What day a date typed at a door of the system is (:func:`calendar_day`) is read here as well: a
calendar date ``YYYY-MM-DD`` and nothing else, never a date-time whose day depends on a zone.

Tests freeze the clock by replacing :func:`utc_now` (``monkeypatch.setattr(clock, "utc_now", …)``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from credit.config import load_config
from credit.settings import Settings, get_settings


def utc_now() -> datetime:
    """The machine's wall clock as an aware UTC instant (the one place that reads it)."""
    return datetime.now(UTC)


@lru_cache(maxsize=8)
def _zone_of(config_dir: Path) -> ZoneInfo:
    doc = load_config("schedule", Settings(config_dir=config_dir))
    return ZoneInfo(str(doc.get("timezone") or "Asia/Shanghai"))


def zone(settings: Settings | None = None) -> ZoneInfo:
    """The bureau's time zone (``config/schedule.yaml`` ``timezone``; Asia/Shanghai when absent)."""
    return _zone_of(Path((settings or get_settings()).config_dir))


def now(settings: Settings | None = None) -> datetime:
    """Now on the bureau's clock: an aware datetime in :func:`zone`."""
    return utc_now().astimezone(zone(settings))


def today(settings: Settings | None = None) -> date:
    """Today's date on the bureau's calendar (not the machine's)."""
    return now(settings).date()


def local(instant: datetime, settings: Settings | None = None) -> datetime:
    """An instant as the bureau's wall-clock time (a naive instant is taken as UTC)."""
    return (instant if instant.tzinfo else instant.replace(tzinfo=UTC)).astimezone(zone(settings))


def stamp(instant: datetime | None = None, settings: Settings | None = None) -> str:
    """An instant for people: ``2026-07-16 08:05:09 (Asia/Shanghai)``, no microseconds."""
    t = local(instant, settings) if instant is not None else now(settings)
    return f"{t:%Y-%m-%d %H:%M:%S} ({zone(settings).key})"


# A calendar date as contracts.md writes every date: four, two and two ASCII digits, hyphens.
DAY_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DAY_PROBLEM_ZH = "应为日期，写作 YYYY-MM-DD（年-月-日，例如 2026-07-15），不含时刻或时区"
DAY_PROBLEM_EN = ("must be a calendar date YYYY-MM-DD, e.g. 2026-07-15: a date-time, a time zone, a week or "
                  "ordinal date, a number or any other form is not one")


def calendar_day(text: str) -> date:
    """``text`` as the date it writes, when it is a calendar date ``YYYY-MM-DD`` (contracts.md), else
    ValueError. The one reading of a date typed at a door of the system (the command line's options,
    the API's parameters and bodies through :data:`credit.api.validation.Day`, the pages' fields),
    here because the command line reads it without loading the API. Stricter than the parsers it
    replaces: Python 3.11's :meth:`date.fromisoformat` also reads ``20260715`` and the ISO week date
    ``2026-W29-3``, and pydantic's ``date`` reads ``2026-07-15T00:00:00+09:00`` as 2026-07-15 —
    an instant that is 2026-07-14 on the bureau's clock — and a Unix time as a date."""
    if not DAY_FORM.fullmatch(text):
        raise ValueError(f"{DAY_PROBLEM_ZH} ({DAY_PROBLEM_EN})")
    return date.fromisoformat(text)   # ValueError for a day that does not exist (2026-02-30)
