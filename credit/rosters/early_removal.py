"""Early removal (提前移出) of a serious-list entry while a restriction runs — domain.md §4 (2021
repair document art. 7; order 107): the first day an application can be granted, the note the
status and the page show, and the refusal's wording the receipt and the night share.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from credit.calendar import add_years


class EarlyRemoval(NamedTuple):
    """When a serious-list entry may first be removed early (提前移出), by the one rule the status,
    the receipt of an application and the night's answer all use (:func:`early_removal`).

    ``apply_from``: the first day an application received can be granted; None when there is no
    early removal at all (the restriction runs to, or past, the automatic removal).
    ``restriction_ends``: the last day of the penalty's restriction when it holds early removal back
    beyond the year on the list (else None). ``automatic_on``: the day the entry leaves the list by
    itself (the day after its listing period, None when unknown)."""

    apply_from: date | None
    restriction_ends: date | None
    automatic_on: date | None


def early_removal(included_on: date, restriction_ends: date | None, automatic_on: date | None) -> EarlyRemoval:
    """domain.md §4 (2021 repair document art. 7; order 107): early removal after **one full year**
    on the list (applicable from the day after, 民法典 art. 202), and never while a statutory
    restriction of the penalty (practice ban, restriction of business…) still runs: an application
    received on or before the restriction's last day is refused. The longer period governs; when it
    reaches the automatic removal there is no early-removal date, the entry is removed on that day
    (an outsider's acceptance pass: the refusal named the automatic removal as a day to apply)."""
    first = add_years(included_on, 1) + timedelta(days=1)
    held = restriction_ends if restriction_ends is not None and restriction_ends + timedelta(days=1) > first else None
    if held is not None:
        first = held + timedelta(days=1)
    if automatic_on is not None and first >= automatic_on:
        return EarlyRemoval(None, held, automatic_on)
    return EarlyRemoval(first, held, automatic_on)


def restriction_note(window: EarlyRemoval) -> str | None:
    """What the restriction behind ``window`` means for early removal, in the applicants' words
    (the status, the API and the page say it; the refusal adds it to its reason)."""
    if window.restriction_ends is None:
        return None
    ends = window.restriction_ends.isoformat()
    text = f"行政处罚决定规定的限制期限（限制从业、限制开展生产经营活动等）至{ends}届满，限制期限届满前不予提前移出严重违法失信名单"
    return text + (f"；可于{window.apply_from.isoformat()}起申请" if window.apply_from else _no_early(window))


def _no_early(window: EarlyRemoval) -> str:
    if window.automatic_on is None:
        return "；列入期限届满自动移出"
    return f"；列入期限届满将于{window.automatic_on.isoformat()}自动移出，无提前移出日期"


def early_removal_refusal(window: EarlyRemoval, received: date) -> str | None:
    """The reason an application for early removal received on ``received`` is refused by the rule
    of :func:`early_removal`, in Chinese with the day it can be made (or the automatic removal);
    None when the application comes late enough. The receipt (credit.rosters.repair) says it, the
    night (credit.rosters.decide) refuses with it: one text, one rule."""
    if window.apply_from is not None and received >= window.apply_from:
        return None
    if window.restriction_ends is not None:
        return restriction_note(window)
    if window.apply_from is None:
        return "列入严重违法失信名单未满一年，不予提前移出" + _no_early(window)
    return f"列入严重违法失信名单未满一年，不予提前移出；可于{window.apply_from.isoformat()}起申请"


def early_removal_refusal_en(window: EarlyRemoval) -> str:
    """The English aside of :func:`early_removal_refusal` for the command line and the bureau's API."""
    why = (f"a restriction of the penalty runs to {window.restriction_ends.isoformat()}"
           if window.restriction_ends else "less than one full year on the list")
    if window.apply_from is not None:
        return f"too early: {why}; apply from {window.apply_from.isoformat()}"
    auto = window.automatic_on.isoformat() if window.automatic_on else "the end of the listing period"
    return f"no early removal: {why}; removed automatically on {auto}"
