"""Which industries need which department's licence (config/notices.yaml) — domain.md §11.

A department's industries are GB/T 4754-2017 codes: a section letter, a division, a group or a
class; each matches every code that starts with it. Business-scope keywords are not matched:
the registration drop has no business-scope column (contracts.md §1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from credit.config import ConfigDoc
from credit.contract.sources import INDUSTRY

#: A GB/T 4754 code as the registration contract writes it (contracts.md §1 ``industry_code``).
INDUSTRY_CODE = re.compile(INDUSTRY)


class NoticeConfigError(ValueError):
    """config/notices.yaml names something that cannot be matched (an unknown code shape, a blank name)."""


@dataclass(frozen=True)
class Department:
    """A licensing department (许可部门), the licence it issues and the industries that need it."""

    name: str
    licence: str
    industries: tuple[str, ...]

    def matches(self, industry_code: str | None) -> str | None:
        """The most specific configured code that ``industry_code`` falls under, or None."""
        if not industry_code:
            return None
        hits = [p for p in self.industries if industry_code.startswith(p)]
        return max(hits, key=len) if hits else None


@dataclass(frozen=True)
class NoticeRules:
    """config/notices.yaml, validated."""

    version: str
    #: How long before the store's first load an entity in it must have been established to be
    #: notified as a new registration; on later nights an entity new to the store is notified
    #: whatever its established_on (domain.md §11: "at once"; ``sql/notices/produce.sql``).
    new_registration_days: int
    departments: tuple[Department, ...]

    def department(self, name: str) -> Department | None:
        return next((d for d in self.departments if d.name == name), None)

    def arrays(self) -> tuple[list[str], list[str], list[str]]:
        """(department, licence, code) as parallel lists, one element per configured code (for SQL)."""
        rows = [(d.name, d.licence, p) for d in self.departments for p in d.industries]
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def rules_of(config: ConfigDoc) -> NoticeRules:
    """Validate config/notices.yaml; a code that could never match is refused, with its department named."""
    data = config.data
    days = int(data.get("new_registration_days", 30))
    if days < 0:
        raise NoticeConfigError("new_registration_days must not be negative")
    departments: list[Department] = []
    for entry in data.get("departments") or []:
        name = str(entry.get("department") or "").strip()
        licence = str(entry.get("licence") or "").strip()
        codes = tuple(str(c).strip().upper() for c in entry.get("industries") or [])
        if not name or not licence:
            raise NoticeConfigError(f"a department entry needs a department and a licence: {entry!r}")
        bad = [c for c in codes if not INDUSTRY_CODE.fullmatch(c)]
        if bad or not codes:
            raise NoticeConfigError(f"{name}: industries {bad or '[]'} are not GB/T 4754 codes or prefixes")
        if any(d.name == name for d in departments):
            raise NoticeConfigError(f"{name}: listed twice")
        departments.append(Department(name, licence, codes))
    return NoticeRules(config.version, days, tuple(departments))
