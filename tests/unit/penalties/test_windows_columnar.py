"""The columnar publicity windows (issue 11) against the per-penalty rules they replace.

:func:`windows_reference` and :func:`changes_reference` are the per-row code that
credit.penalties.publicity.windows and credit.penalties.store.maintain_windows ran before (one
:func:`window_of` per distinct penalty, one dict comparison per case): the property tests generate
penalties around what moves a window (the regime switch of 2025-12-25, year ends, the Spring
Festival and National Day, the lower-fine amount, restrictions, revocations, missing dates and
fines, years the calendar does not know) and require the same rows, values and order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credit.calendar import working_calendar
from credit.penalties.publicity import (
    WINDOW_COLUMNS,
    add_months_many,
    load_publicity_rules,
    records,
    window_of,
    windows,
)
from credit.penalties.store import COMPARED, DATES, changes
from credit.rosters.env import RosterEnv
from credit.settings import Settings, bundled

SETTINGS = Settings(config_dir=bundled("config"))
RULES = load_publicity_rules(SETTINGS)
CAL = working_calendar(SETTINGS)
HEAVIER = RosterEnv.load(SETTINGS).heavier_measures()
MEASURES = ["warning", "criticism", "fine", "confiscation", "suspension", "business_restricted", "practice_ban",
            "qualification_downgrade", "licence_revoked", "business_licence_revoked", "closure"]
CATEGORIES = ["other", "food_safety", "drugs_devices_cosmetics", "quality_special_equipment", "unlicensed"]
NIGHT = date(2026, 7, 13)


def windows_reference(penalties: pd.DataFrame, heavier_measures: Sequence[str]) -> pd.DataFrame:
    """The per-penalty windows as computed before issue 11 (the slow reference)."""
    hm = set(heavier_measures)
    rows = []
    has_restricted = "restricted_until" in penalties
    has_revoked = "revoked_on" in penalties
    for p in records(penalties):
        raw = p["measures"]
        measures = tuple(sorted(str(m) for m in (list(raw) if raw is not None and not isinstance(raw, float) else [])))
        fine = None if p["fine_amount"] is None or pd.isna(p["fine_amount"]) else float(p["fine_amount"])
        restricted = p["restricted_until"] if has_restricted else None
        revoked = p["revoked_on"] if has_revoked else None
        restricted = None if restricted is None or pd.isna(restricted) else restricted
        revoked = None if revoked is None or pd.isna(revoked) else revoked
        heavier = bool(p["heavier"]) or bool(set(measures) & hm)
        w = window_of(RULES, CAL, decided_on=p["decided_on"], measures=measures, fine=fine, heavier=heavier,
                      category=str(p["category"]), first_night=p["first_night"], restricted_until=restricted,
                      revoked_on=revoked)
        if w is not None:
            rows.append({"case_no": p["case_no"], "uscc": p["uscc"], "decided_on": p["decided_on"], **w})
    return pd.DataFrame(rows, columns=WINDOW_COLUMNS)


def value(v: Any) -> Any:
    """credit.penalties.store's reading of a value: missing is None, a Timestamp its date."""
    if v is None or (not isinstance(v, list | tuple) and pd.isna(v)):
        return None
    return v.date() if isinstance(v, pd.Timestamp) else v


def changes_reference(now: pd.DataFrame, prev: pd.DataFrame, night: date) -> list[dict[str, Any]]:
    """maintain_windows' comparison before issue 11: one dict per case."""
    before = {str(r["case_no"]): r for r in records(prev)}
    rows = []
    for r in records(now):
        old = before.get(str(r["case_no"]))
        if r["revoked_on"] is not None and not pd.isna(r["revoked_on"]):
            r["withdrawn_on"] = value(old.get("withdrawn_on")) if old is not None else None
            r["withdrawn_on"] = r["withdrawn_on"] or night
        else:
            r["withdrawn_on"] = None
        if old is not None and all(value(r[c]) == value(old.get(c)) for c in COMPARED):
            continue
        rows.append({k: value(v) for k, v in r.items()})
    return rows


def normal(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: value(v) for k, v in r.items()} for r in records(df)]


# Decision dates around what moves a window: the first regime (2021-09-01), the switch to order 107
# (2025-12-25), year ends, the Spring Festival (2026-02-15..23), National Day, month ends (Jan 31 +
# 1 month), and years past the calendar's last (the 20-WD limit and 3-WD withdrawal then unknown).
EDGES = [date(2021, 8, 31), date(2021, 9, 1), date(2024, 1, 31), date(2024, 2, 29), date(2024, 12, 31),
         date(2025, 9, 30), date(2025, 11, 28), date(2025, 12, 24), date(2025, 12, 25), date(2025, 12, 31),
         date(2026, 1, 31), date(2026, 2, 10), date(2026, 2, 13), date(2026, 9, 30), date(2026, 12, 31),
         date(2027, 12, 31), date(2028, 12, 31), date(2029, 12, 31)]


def days_near(lo: date, hi: date) -> st.SearchStrategy[date]:
    return st.one_of(st.sampled_from(EDGES), st.dates(min_value=lo, max_value=hi))


@st.composite
def penalty(draw: st.DrawFn, i: int) -> dict[str, Any]:
    decided = draw(days_near(date(2021, 6, 1), date(2029, 12, 31)))
    first = draw(st.one_of(st.none(), st.integers(0, 500).map(lambda d: decided + timedelta(days=d))))
    measures = draw(st.one_of(st.none(), st.just(float("nan")),
                              st.lists(st.sampled_from(MEASURES), max_size=4), st.lists(st.sampled_from(MEASURES)).map(tuple)))
    fine = draw(st.one_of(st.none(), st.just(float("nan")), st.sampled_from([0.0, 9999.99, 10000.0, 10000.01]),
                          st.floats(0, 1e6, allow_nan=False)))
    restricted = draw(st.one_of(st.none(), days_near(date(2021, 6, 1), date(2035, 12, 31))))
    revoked = draw(st.one_of(st.none(), days_near(date(2021, 9, 1), date(2029, 12, 31))))
    return {"case_no": f"C{i:05d}", "uscc": f"U{i % 7}", "decided_on": decided, "category": draw(st.sampled_from(CATEGORIES)),
            "measures": measures, "fine_amount": fine, "heavier": draw(st.booleans()), "first_night": first,
            "restricted_until": restricted, "revoked_on": revoked}


@st.composite
def penalties(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 40))
    df = pd.DataFrame([draw(penalty(i)) for i in range(n)],
                      columns=["case_no", "uscc", "decided_on", "category", "measures", "fine_amount", "heavier",
                               "first_night", "restricted_until", "revoked_on"])
    drop = draw(st.sampled_from([(), ("restricted_until",), ("revoked_on",), ("restricted_until", "revoked_on")]))
    return df.drop(columns=list(drop))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(penalties())
def test_columnar_windows_are_the_per_penalty_windows(df: pd.DataFrame) -> None:
    assert normal(windows(df, RULES, CAL, HEAVIER)) == normal(windows_reference(df, HEAVIER))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(penalties(), st.data())
def test_columnar_changes_are_the_per_case_comparison(df: pd.DataFrame, data: st.DataObject) -> None:
    # prev: the latest rows of some of the cases, some of them with a column changed or withdrawn
    now = windows(df, RULES, CAL, HEAVIER)
    rows = []
    for r in normal(now):
        if data.draw(st.booleans()):
            continue
        r["withdrawn_on"] = data.draw(st.one_of(st.none(), st.just(NIGHT - timedelta(days=3))))
        col = data.draw(st.sampled_from([None, *COMPARED]))
        if col is not None:
            other = [date(2026, 1, 1)] if col in DATES else (["x"] if col != "published" else [not r[col]])
            r[col] = data.draw(st.sampled_from([None, *other, r[col]]))   # the store's columns are typed
        rows.append(r)
    prev = pd.DataFrame(rows, columns=[*WINDOW_COLUMNS, "withdrawn_on"])
    got = normal(changes(now, prev, NIGHT))
    assert got == changes_reference(now, prev, NIGHT)
    # the first night: no previous row at all
    assert normal(changes(now, pd.DataFrame(), NIGHT)) == changes_reference(now, pd.DataFrame(), NIGHT)


def test_add_months_many_is_the_civil_code_corresponding_day() -> None:
    # 民法典 art. 202: Jan 31 + 1 month is the month's last day (Feb 28, or 29 in a leap year).
    days = np.array(["2026-01-31", "2024-01-31", "2025-12-31", "2026-03-16", "NaT"], dtype="datetime64[D]")
    got = add_months_many(days, np.array([1, 1, 2, 12, 3]))
    assert [str(d) for d in got] == ["2026-02-28", "2024-02-29", "2026-02-28", "2027-03-16", "NaT"]


def test_more_measure_names_than_a_bit_mask_holds_are_numbered_by_set() -> None:
    """Over 63 distinct measure names the sets are numbered instead of masked (the OverflowError
    path of windows): the same windows as the reference, the catalogue's heavier measures and
    the lower fine still deciding the class."""
    names = MEASURES + [f"local_measure_{k}" for k in range(60)]
    rows = [{"case_no": f"C{i:05d}", "uscc": f"U{i % 7}", "decided_on": EDGES[i % len(EDGES)],
             "category": CATEGORIES[i % len(CATEGORIES)],
             "measures": [names[i % len(names)], names[(3 * i + 1) % len(names)]] if i % 5 else None,
             "fine_amount": [None, 5000.0, 10000.01][i % 3], "heavier": i % 4 == 0,
             "first_night": EDGES[i % len(EDGES)] + timedelta(days=i % 30), "restricted_until": None,
             "revoked_on": EDGES[(i + 3) % len(EDGES)] if i % 6 == 0 else None} for i in range(160)]
    df = pd.DataFrame(rows)
    assert len({m for r in rows for m in (r["measures"] or [])}) > 63
    assert normal(windows(df, RULES, CAL, HEAVIER)) == normal(windows_reference(df, HEAVIER))
