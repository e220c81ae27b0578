"""Bank credit (银行信用) as the banks report it monthly through the platform — contracts.md §1.

Most entities have no loan at all (no row); of the borrowers a few are overdue, mostly by days,
some by months, and a rare few are in default (违约或不良). Night 1 carries the last complete
month; a later night carries that night's last complete month for the few borrowers whose
position changed (newly overdue, cured, or a month more overdue). A grading signal only
(domain.md §11): the generator writes it like any other source.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pyarrow as pa

from credit.sample.cells import as_text, date_text, money
from credit.sample.codes import ENTITY_KINDS, OPERATING, per_code
from credit.sample.context import Context, Rows, day_of, nrows
from credit.sample.draw import Draw, Slot, Stream, pick

# Share of entities with a bank loan, by kind: enterprises borrow most, 个体工商户 least.
_BORROWS: Final = per_code(ENTITY_KINDS, {"enterprise": 0.30, "individual": 0.08, "farmer_coop": 0.20})
# Median loan balance in yuan, by kind.
_MEDIAN: Final = per_code(ENTITY_KINDS, {"enterprise": 2_000_000, "individual": 150_000, "farmer_coop": 500_000})
P_OVERDUE: Final = 0.06     # of borrowers, overdue at the month's end
P_DEFAULT: Final = 0.006    # of borrowers, in default (rare)
# Overdue days of an overdue loan: within a month, one to three months, beyond 90 days.
_DAY_BANDS: Final = ((1, 30), (31, 90), (91, 360))
_DAY_BAND_W: Final = (0.70, 0.20, 0.10)


def month_before(night: date) -> tuple[str, int, int]:
    """The last complete month before ``night``: its label and first and last day (day numbers)."""
    y, m = (night.year, night.month - 1) if night.month > 1 else (night.year - 1, 12)
    first = date(y, m, 1)
    last = day_of(date(night.year, night.month, 1)) - 1
    return f"{y:04d}-{m:02d}", day_of(first), last


def _overdue_days(d: Draw, overdue: np.ndarray, default: np.ndarray) -> np.ndarray:
    band = pick(d.u(Stream.BANK_DAYS_BAND), _DAY_BAND_W)
    lo = np.array([b[0] for b in _DAY_BANDS])[band]
    hi = np.array([b[1] for b in _DAY_BANDS])[band]
    days = lo + (d.u(Stream.BANK_DAYS) * (hi - lo + 1)).astype(np.int64)
    days = np.where(default, np.maximum(days, 91) + 90, days)  # a default is long overdue
    return np.where(overdue | default, days, 0)


def bank_rows(ctx: Context, e: Rows, night: date) -> Rows | None:
    """The month before ``night`` for the borrowers among entities ``e`` (operating through it)."""
    label, first, last = month_before(night)
    d = ctx.hd(e["idx"], Slot.BANK)
    alive = (e["est"] <= first) & ((e["status"] == OPERATING) | (e["status_on"] > last))
    has = alive & (d.u(Stream.BANK_HAS) < _BORROWS[e["kind"]])
    if not has.any():
        return None
    sel = np.flatnonzero(has)
    d = ctx.hd(e["idx"][sel], Slot.BANK)
    kind = e["kind"][sel]
    lenders = 1 + pick(d.u(Stream.BANK_LENDERS), (0.7, 0.2, 0.1))
    yuan = np.round(_MEDIAN[kind] * np.exp(1.0 * d.normal(Stream.BANK_Z1, Stream.BANK_Z2)) / 100) * 100
    balance = np.maximum(yuan, 10_000).astype(np.int64) * 100   # cents
    default = d.u(Stream.BANK_DEFAULT) < P_DEFAULT
    overdue = d.u(Stream.BANK_OVERDUE) < P_OVERDUE
    days = _overdue_days(d, overdue, default)
    share = np.where(default, 0.3 + 0.7 * d.u(Stream.BANK_SHARE), 0.05 + 0.55 * d.u(Stream.BANK_SHARE))
    owed = np.where(days > 0, np.round(balance * share / 100) * 100, 0).astype(np.int64)
    updated = np.minimum(last + 5 + d.below(Stream.BANK_UPD, 10), day_of(night) - 1)
    n = sel.size
    return {"pos": sel, "uscc": e["uscc"][sel], "period": np.full(n, label), "lenders": lenders,
            "balance": balance, "owed": owed, "days": days, "default": default, "upd": updated}


def bank_changes(rows: Rows, rng: np.random.Generator) -> Rows:
    """A night's changes for borrowers: newly overdue (some beyond 90 days), cured, or a month more overdue."""
    m = nrows(rows)
    event = rng.integers(0, 3, m)
    days = rows["days"].copy()
    fresh = event == 0
    days = np.where(fresh, np.where(rng.random(m) < 0.4, 91 + rng.integers(0, 90, m), 1 + rng.integers(0, 60, m)), days)
    days = np.where(event == 1, 0, days)
    days = np.where(event == 2, np.where(days > 0, days + 30, 31), days)
    owed = np.where(days > 0, np.maximum(rows["owed"], rows["balance"] // 10 // 100 * 100), 0)
    default = rows["default"] & (days > 0)
    return {**rows, "days": days, "owed": owed, "default": default}


def bank_table(r: Rows) -> pa.Table:
    return pa.table({
        "uscc": pa.array(r["uscc"]).cast(pa.string()), "period": pa.array(r["period"]).cast(pa.string()),
        "lenders": as_text(r["lenders"]), "loans_outstanding": money(r["balance"]),
        "overdue_amount": money(r["owed"]), "max_overdue_days": as_text(r["days"]),
        "in_default": pa.array(np.where(r["default"], "true", "false")), "updated_on": date_text(r["upd"]),
    })

