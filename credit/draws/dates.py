"""Inspection dates: the plan's working days, minus the entity's quiet days (企业宁静日, domain.md §9).

The day of an inspection is a function of its entity key, so it re-derives from the record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from credit.draws.core import DrawError


def parse_days(spec: str | Sequence[int]) -> frozenset[int]:
    """Days of month from ``"1-20"``, ``"1-5,25-28"`` or a list of integers; anything else is a
    :class:`~credit.draws.core.DrawError` (a plan checks the days are 1–31: store.check_values)."""
    days: set[int] = set()
    try:
        if not isinstance(spec, str):
            days.update(int(x) for x in spec)
        else:
            for part in spec.split(","):
                part = part.strip()
                if "-" in part:
                    a, b = part.split("-")
                    days.update(range(int(a), int(b) + 1))
                elif part:
                    days.add(int(part))
    except (TypeError, ValueError):
        raise DrawError(f"days_of_month {spec!r}: days of the month such as \"1-20\" or \"1-5,25-28\"") from None
    return frozenset(days)


def quiet_rule(quiet: Mapping[str, Any], region_code: str) -> frozenset[int]:
    """Quiet days of month (企业宁静日, domain.md §9) of the longest matching jurisdiction prefix."""
    best = ""
    for prefix in quiet:
        if region_code.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return parse_days(quiet[best]["days_of_month"]) if best else frozenset()


def schedule_day(entity_key: str, days: Sequence[str], quiet: frozenset[int]) -> str | None:
    """The inspection date: allowed[int(last 16 hex digits of the entity key) mod len(allowed)],
    where allowed = the plan's working days (ISO dates, ascending) not on a quiet day; None if none."""
    allowed = [d for d in days if int(d[8:10]) not in quiet] if quiet else days
    if not allowed:
        return None
    return allowed[int(entity_key[-16:], 16) % len(allowed)]


def iso(d: date | str | None) -> str | None:
    """A date as ISO text (text stays as it is; None stays None)."""
    return d.isoformat() if isinstance(d, date) else d
