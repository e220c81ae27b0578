"""Properties of one penalty's publicity window (hypothesis), against the rules of domain.md §5.1, §6.

test_windows_columnar.py shows the columnar windows equal :func:`window_of` row for row; these
tests say what :func:`window_of` itself must give, whatever the penalty: the regime in force on
the decision date, a start between the decision and the art.-9 limit, an end that is the class's
period from the start (or the longer restriction), and a repair date inside the window.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from credit.calendar import UnknownCalendarYear, add_months, working_calendar
from credit.penalties.publicity import load_publicity_rules, window_of
from credit.settings import Settings, bundled

SETTINGS = Settings(config_dir=bundled("config"))
RULES = load_publicity_rules(SETTINGS)
CAL = working_calendar(SETTINGS)
MEASURES = ["warning", "criticism", "fine", "confiscation", "suspension", "business_restricted", "practice_ban",
            "qualification_downgrade", "licence_revoked", "business_licence_revoked", "closure"]
#: 45号令 art. 14 para. 3: never stopped early (config/publicity.yaml ``restricted``).
NEVER_EARLY = {"suspension", "business_restricted", "practice_ban", "qualification_downgrade", "licence_revoked",
               "business_licence_revoked", "closure"}
CATEGORIES = ["other", "food_safety", "drugs_devices_cosmetics", "quality_special_equipment"]
SWITCH = date(2025, 12, 25)   # order 107 in force (domain.md §0, §6)


def _months(p: Any) -> int:
    return p.n if p.unit == "months" else 12 * p.n


@st.composite
def a_penalty(draw: st.DrawFn) -> dict[str, Any]:
    decided = draw(st.one_of(st.sampled_from([date(2021, 9, 1), date(2025, 12, 24), SWITCH, date(2026, 2, 10),
                                              date(2026, 9, 30), date(2026, 12, 31)]),
                             st.dates(date(2021, 9, 1), date(2027, 6, 30))))
    return {
        "decided_on": decided,
        "measures": draw(st.lists(st.sampled_from(MEASURES), min_size=1, max_size=3, unique=True)),
        "fine": draw(st.one_of(st.none(), st.sampled_from([500.0, 10000.0, 10000.01, 200000.0]))),
        "heavier": draw(st.booleans()),
        "category": draw(st.sampled_from(CATEGORIES)),
        "first_night": draw(st.one_of(st.none(), st.integers(0, 60).map(lambda d: decided + timedelta(days=d)))),
        "restricted_until": draw(st.one_of(st.none(), st.integers(-30, 5 * 366).map(lambda d: decided + timedelta(days=d)))),
    }


@settings(max_examples=300, deadline=None)
@given(a_penalty())
def test_a_window_runs_from_publication_for_its_class_period(p: dict[str, Any]) -> None:
    w = window_of(RULES, CAL, **p)
    assert w is not None
    regime = RULES.regime_on(p["decided_on"])
    assert regime is not None and w["regime"] == regime.version
    assert regime.id == ("order107" if p["decided_on"] >= SWITCH else "order45")
    cls = next(c for c in regime.classes if c.name == w["class"])
    if not w["published"]:
        # 45号令 art. 2 / order 107: warnings alone are not published, so there is no window
        assert set(p["measures"]) <= {"warning"}
        assert w["publicity_from"] is w["publicity_until"] is w["repair_from"] is None
        return
    start, until, repair = w["publicity_from"], w["publicity_until"], w["repair_from"]
    # 45号令 arts. 9, 13: counted from publication, never before the decision, at the latest the 20-WD limit
    assert p["decided_on"] <= start
    try:
        limit = regime.publication_limit.end(p["decided_on"], CAL) if regime.publication_limit else None
    except UnknownCalendarYear:
        limit = None
    if limit is not None:
        assert start <= limit
    if p["first_night"] is not None and (limit is None or p["first_night"] <= limit):
        assert start == p["first_night"]
    # the class's period from the start (民法典 art. 202), or the longer restriction (art. 13 para. 3)
    assert cls.period is not None
    natural = add_months(start, _months(cls.period))
    restricted = p["restricted_until"]
    assert until == (restricted if restricted is not None and restricted > natural else natural)
    assert start < until
    # art. 14 para. 3: never stopped early
    if set(p["measures"]) & NEVER_EARLY:
        assert repair is None
    if repair is not None:
        # repair ends publicity early: it lies after the minimum period and inside the window
        assert cls.repair_after is not None
        assert repair > add_months(start, _months(cls.repair_after))
        assert repair <= until, (repair, until)
        # and never while a restriction still runs (domain.md §4)
        assert restricted is None or repair > restricted


@settings(max_examples=150, deadline=None)
@given(a_penalty(), st.sampled_from(MEASURES))
def test_an_added_measure_never_shortens_the_window_under_order_107(p: dict[str, Any], extra: str) -> None:
    """Order 107 (domain.md §5.1): a penalty with one more measure is no lighter a case — its
    publicity never ends earlier, and it can never leave the public record earlier (by repair or
    by its end)."""
    if p["decided_on"] < SWITCH or extra in p["measures"] or extra == "warning":
        return
    a = window_of(RULES, CAL, **p)
    b = window_of(RULES, CAL, **{**p, "measures": [*p["measures"], extra]})
    assert a is not None and b is not None
    if not a["published"]:
        return
    assert b["published"]
    assert b["publicity_until"] >= a["publicity_until"], (a["class"], b["class"])
    assert _earliest_stop(b) >= _earliest_stop(a), (a["class"], b["class"])


def _earliest_stop(w: dict[str, Any]) -> date:
    """The first day the information can be off the public record: by repair, else after its end
    (a minor penalty needs no repair: it stops by itself after 3 months, §5.1)."""
    return w["repair_from"] or w["publicity_until"] + timedelta(days=1)
