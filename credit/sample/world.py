"""The world across nights: what changed on earlier nights, and rows still to be released."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from credit.sample.context import Rows, concat, nrows, take
from credit.sample.facts import FINDING_FIELDS, PENALTY_FIELDS
from credit.sample.inspectors import Inspectors

DELTA_SERIAL: Final = 4_000_000_000
"""Serials of rows born on delta nights start here (night 1 uses entity index · 2 + k)."""

# The fields a deferred row of each source keeps until its night.
_PENDING_FIELDS: Final = {
    "annual_reports": frozenset({"uscc", "year", "day", "emp", "rev", "tax"}),
    "penalties": PENALTY_FIELDS | {"day"},
    "findings": FINDING_FIELDS,
    "inspection_results": frozenset({"uscc", "county", "task", "inspected", "code", "day", "ia", "ib"}),
}


@dataclass
class World:
    """State carried from night to night: the roster, changes of registration, pending rows."""

    inspectors: Inspectors
    next_idx: int  # index of the next entity to be born
    pending: dict[str, list[Rows]] = field(default_factory=dict)
    reg_over: dict[int, dict[str, int]] = field(default_factory=dict)  # entity -> field -> new value
    closed: set[int] = field(default_factory=set)
    pen_serial: int = 0
    find_serial: int = 0

    def defer(self, source: str, rows: Rows | None) -> None:
        """Keep rows dated after the current night ("day") for the night that will carry them."""
        if rows is not None and nrows(rows):
            keep = _PENDING_FIELDS[source]
            self.pending.setdefault(source, []).append({k: v for k, v in rows.items() if k in keep})

    def release(self, source: str, cut: int) -> Rows | None:
        """Pending rows whose day has come (day <= cut); the rest stay pending."""
        rows = concat(self.pending.get(source, []))
        if rows is None:
            return None
        due = rows["day"] <= cut
        rest = take(rows, ~due)
        self.pending[source] = [rest] if nrows(rest) else []
        out = take(rows, due)
        return out if nrows(out) else None

    def apply_overrides(self, e: Rows) -> Rows:
        """Registration changes made on earlier delta nights (few rows: a plain loop is fine)."""
        for i, x in enumerate(e["idx"].tolist()):
            for k, v in self.reg_over.get(x, {}).items():
                e[k][i] = v
        return e
