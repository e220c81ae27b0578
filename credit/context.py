"""What every step of a night knows about the night it serves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from credit.night.scope import NightScope
from credit.settings import Settings


@dataclass(frozen=True)
class NightContext:
    """The night being published: its date, the input snapshot's digest and the settings in force,
    and the entities it works on (``scope``; None: every entity, :mod:`credit.night.scope`)."""

    night: date
    manifest_digest: str
    settings: Settings
    scope: NightScope | None = None
