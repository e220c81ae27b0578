"""Golden windows of penalty-information publicity on the 2026 calendar (domain.md §5.1, §5.2, §6, §13)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from credit.calendar import working_calendar
from credit.penalties.publicity import load_publicity_rules, window_of, windows
from credit.settings import Settings, bundled

D = date.fromisoformat
SETTINGS = Settings(config_dir=bundled("config"))


def win(decided: str, measures: tuple[str, ...] = ("fine",), fine: float | None = 50000, *, heavier: bool = False,
        category: str = "other", first_night: str | None = None, restricted: str | None = None,
        revoked: str | None = None) -> dict[str, Any]:
    w = window_of(load_publicity_rules(SETTINGS), working_calendar(SETTINGS), decided_on=D(decided),
                  measures=measures, fine=fine, heavier=heavier, category=category,
                  first_night=D(first_night) if first_night else D(decided),
                  restricted_until=D(restricted) if restricted else None, revoked_on=D(revoked) if revoked else None)
    assert w is not None
    return w


def test_general_penalty_under_order_107_stops_after_one_year() -> None:
    # §5.1 一般: may apply after 3 months, stops automatically at 1 year, counted from publication
    # (45号令 art. 13, §6): here published the night of the decision.
    w = win("2026-01-10")
    assert w["regime"] == "order107@2025-12-25" and w["class"] == "general" and w["published"]
    assert w["publicity_from"] == D("2026-01-10")
    assert w["publicity_until"] == D("2027-01-10")       # last day shown; gone from 2027-01-11
    assert w["repair_from"] == D("2026-04-11")           # the day after 3 full months


def test_example_10_general_window_dates() -> None:
    # domain.md §13 examples 6 and 10: decided Tue 2026-02-10, published by the 20th WD, Mon
    # 2026-03-16 (make-up Saturdays Feb 14 and 28 counted, the Spring Festival skipped); 3 months
    # later one may apply, from Wed 2026-06-17; it stops when 1 year is full, 2027-03-16. The
    # periods run from publication (45号令 art. 13), not from the decision.
    w = win("2026-02-10", first_night="2026-05-13")     # reached the store long after the decision
    assert w["publicity_from"] == D("2026-03-16")
    assert (w["repair_from"], w["publicity_until"]) == (D("2026-06-17"), D("2027-03-16"))
    # published the night after the decision: the windows run from that night
    w = win("2026-02-10", first_night="2026-02-11")
    assert (w["publicity_from"], w["repair_from"], w["publicity_until"]) == (D("2026-02-11"), D("2026-05-12"), D("2027-02-11"))


def test_order_107_penalties_of_art_14_para_3_are_never_stopped_early() -> None:
    # 45号令 art. 14 para. 3 (§6) stays in force under order 107: a suspension, a restriction, a ban,
    # a downgrading or a revocation is published its whole period, without repair.
    for measure in ("suspension", "business_restricted", "practice_ban", "qualification_downgrade",
                    "licence_revoked", "business_licence_revoked"):
        w = win("2026-09-18", ("fine", measure), heavier=True)
        assert w["class"] == "restricted" and w["repair_from"] is None, measure
        assert w["publicity_until"] == D("2029-09-18") and "不得提前停止公示" in w["repair_note"]
    assert win("2026-09-18", ("fine",), heavier=True)["repair_from"] == D("2027-09-19")


def test_lower_fine_is_minor_three_months_without_application() -> None:
    w = win("2026-02-10", fine=3000)
    assert w["class"] == "minor" and w["publicity_until"] == D("2026-05-10")
    assert w["repair_from"] is None and "自动停止公示" in w["repair_note"]
    # a higher fine, or a fine with confiscation, is general
    assert win("2026-02-10", fine=30000)["class"] == "general"
    assert win("2026-02-10", ("fine", "confiscation"), fine=3000)["class"] == "general"
    assert win("2026-02-10", ("criticism",), fine=None)["class"] == "minor"


def test_warning_only_is_never_published() -> None:
    w = win("2026-02-10", ("warning",), fine=None)
    assert w["published"] is False and w["publicity_until"] is None and w["repair_from"] is None


def test_serious_penalty_three_years_repair_after_one() -> None:
    w = win("2026-01-10", heavier=True)
    assert w["class"] == "serious" and w["publicity_until"] == D("2029-01-10") and w["repair_from"] == D("2027-01-11")


def test_lower_fine_under_heavier_punishment_is_serious_not_minor() -> None:
    # domain.md §4 item (1): a fine set under 从重处罚 is a 较重行政处罚 whatever its amount, so under
    # order 107 it is serious (§5.1: 1–3 years, repair after 1 year), never 轻微 (3 months).
    w = win("2026-02-02", fine=1000, heavier=True)
    assert w["class"] == "serious"
    assert (w["publicity_until"], w["repair_from"]) == (D("2029-02-02"), D("2027-02-03"))
    assert win("2026-02-02", ("criticism",), fine=None, heavier=True)["class"] == "serious"
    # 45号令 art. 13 (history) classes by amount only: a lower fine is published 3 months (§6).
    assert win("2025-06-02", fine=1000, heavier=True, first_night="2025-06-03")["class"] == "short"


def test_frame_of_penalties_uses_the_heavier_measures() -> None:
    # A measure of rosters.yaml heavier_measures makes the penalty serious even without the flag (§4 items 2–3).
    df = pd.DataFrame([
        {"case_no": "c1", "uscc": "U", "decided_on": D("2026-01-10"), "category": "other", "measures": ["fine", "suspension"],
         "fine_amount": 50000.0, "heavier": False, "first_night": D("2026-01-12")},
        {"case_no": "c2", "uscc": "U", "decided_on": D("2026-01-10"), "category": "other", "measures": ["fine"],
         "fine_amount": None, "heavier": False, "first_night": D("2026-01-12")},
        {"case_no": "c3", "uscc": "U", "decided_on": D("2020-01-10"), "category": "other", "measures": ["fine"],
         "fine_amount": 1.0, "heavier": False, "first_night": D("2026-01-12")}])
    out = windows(df, load_publicity_rules(SETTINGS), working_calendar(SETTINGS), ["suspension"])
    assert list(out["case_no"]) == ["c1", "c2"]                      # c3 predates the first regime
    assert list(out["class"]) == ["restricted", "general"]          # a fine of unknown amount is not "lower"
    assert out.iloc[0]["repair_from"] is None or pd.isna(out.iloc[0]["repair_from"])  # suspension: no early stop


def test_restriction_longer_than_the_window_governs() -> None:
    # 45号令 art. 13 para. 3 / domain.md §4: a 5-year practice ban is published while it runs, and
    # never stopped early (art. 14 para. 3).
    w = win("2026-03-02", ("fine", "practice_ban"), restricted="2031-03-01")
    assert w["publicity_until"] == D("2031-03-01") and w["repair_from"] is None
    # a restriction that is not among art. 14 para. 3's measures: repair only once it has ended
    w = win("2026-03-02", ("fine",), heavier=True, restricted="2028-03-01")
    assert w["publicity_until"] == D("2029-03-02") and w["repair_from"] == D("2028-03-02")


def test_a_restriction_to_the_window_s_end_leaves_no_repair_date() -> None:
    # domain.md §4, §5.1 (45号令 art. 14): repair stops publicity early; when the restriction runs to
    # the window's end, publicity stops by itself that day and there is no repair date (as for the
    # serious list, credit.rosters.early_removal). The window said "2031-03-02 起可申请" for
    # information whose publicity ended on 2031-03-01 (found by test_window_properties.py).
    w = win("2026-03-02", ("fine",), heavier=True, restricted="2031-03-01")
    assert w["publicity_until"] == D("2031-03-01") and w["repair_from"] is None
    assert "公示期满自动停止" in (w["repair_note"] or "")
    # the same when the restriction ends on the class's own last day (order 107 general: 1 year)
    w = win("2026-01-05", ("fine",), fine=200000, restricted="2027-01-05")
    assert (w["class"], w["publicity_until"], w["repair_from"]) == ("general", D("2027-01-05"), None)
    df = pd.DataFrame([{"case_no": "c1", "uscc": "U", "decided_on": D("2026-01-05"), "category": "other",
                        "measures": ["fine"], "fine_amount": 200000.0, "heavier": False,
                        "first_night": D("2026-01-05"), "restricted_until": D("2027-01-05")}])
    out = windows(df, load_publicity_rules(SETTINGS), working_calendar(SETTINGS), [])
    assert pd.isna(out.iloc[0]["repair_from"]) and out.iloc[0]["repair_note"] == w["repair_note"]


def test_45_order_windows_for_history() -> None:
    # Decided 2025-06-10, published 2025-06-12 (first night): 3 years from publication (art. 13),
    # repair after 6 months (2021 rules art. 6).
    w = win("2025-06-10", first_night="2025-06-12")
    assert w["regime"] == "order45@2021-09-01" and w["class"] == "standard"
    assert w["publicity_from"] == D("2025-06-12") and w["publicity_until"] == D("2028-06-12")
    assert w["repair_from"] == D("2025-12-13")
    # food safety: 1 year; criticism / lower fine: 3 months, no repair; a licence revoked: no early stop
    assert win("2025-06-10", category="food_safety")["repair_from"] == D("2026-06-11")
    short = win("2025-06-10", fine=2000)
    assert short["class"] == "short" and short["publicity_until"] == D("2025-09-10") and short["repair_from"] is None
    assert win("2025-06-10", ("fine", "licence_revoked"))["repair_from"] is None


def test_45_order_publication_at_the_latest_on_the_art_9_limit() -> None:
    # Loaded long after the decision (legacy data): taken as published on the 20-WD limit of
    # art. 9 — Mon 2025-11-03 + 20 WD: Nov 4–7, 10–14, 17–21, 24–28 (19), Mon 2025-12-01 (20).
    w = win("2025-11-03", first_night="2026-07-13")
    assert w["publicity_from"] == D("2025-12-01")


def test_revoked_penalty_withdrawn_within_3_wd() -> None:
    # 45号令 art. 11: revoked Thu 2026-04-30; May 1–5 off → May 6, 7, 8.
    assert win("2026-03-02", revoked="2026-04-30")["withdraw_due"] == D("2026-05-08")


@pytest.mark.parametrize("decided", ["2021-08-31", "2019-01-01"])
def test_before_the_first_regime_no_window(decided: str) -> None:
    w = window_of(load_publicity_rules(SETTINGS), working_calendar(SETTINGS), decided_on=D(decided), measures=["fine"],
                  fine=1.0, heavier=False, category="other", first_night=None)
    assert w is None
