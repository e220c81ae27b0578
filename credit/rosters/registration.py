"""The registration status on a day (登记状态: 存续 / 吊销 / 注销 / 迁出, contracts.md §1), read from the
registration history as recorded (up to night K with ``known_at``).

Joint-punishment consumers screen "as of" a date (domain.md §10): an entity revoked, cancelled or
moved out before it was not 存续 then, though the store knows it. The history rows of an entity
(``registration_history``, one per night that changed it) each say "status S since status_on"
(valid time) as delivered that night (record time); the SQL reads only the rows whose status or
status_on changed (rosters/entity_head, registration_of, registration_known, screening_names) and
:func:`status_as_of` folds them for the day asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any, NamedTuple, TypedDict

import sqlalchemy as sa

from credit import sqlfiles

#: 登记状态 as the as-of answers state it (contracts.md §1 registration.status).
REGISTRATION_STATUS_LABELS = {"operating": "存续", "revoked": "吊销", "cancelled": "注销", "moved_out": "迁出"}
OPERATING = "operating"


#: The statements that join in an entity's status changes (rosters/status_changes), each with the
#: expression of the entity's code there and the bound on the night it reads up to (with known_at).
_JOINED = {"rosters/entity_head": (":u", ""), "rosters/registration_of": ("r.uscc", ""),
           "rosters/screening_names": ("r.uscc", ""), "rosters/registration_known": ("asked.uscc", " and h.night <= :kn")}


@cache
def status_statement(name: str) -> sa.TextClause:
    """``credit/sql/<name>.sql`` (one of :data:`_JOINED`) with the entity's registration status
    changes joined in: one template, rosters/status_changes, for the four statements that read them."""
    uscc, up_to = _JOINED[name]
    changes = sqlfiles.fragment("rosters/status_changes").format(uscc=uscc, up_to=up_to)
    return sa.text(sqlfiles.text_of(name).format(status_changes=changes))


class StatusChange(NamedTuple):
    """A registration history row whose status or status_on differs from the row before it."""

    night: date             # the night that delivered it (record time)
    status: str
    status_on: date | None  # the day the status took effect (valid time), as that row gives it


class StatusAsOf(TypedDict):
    """The registration status on a day: 存续 / 吊销 / 注销 / 迁出 and the day it took effect."""

    registration_status: str
    registration_status_label: str
    registration_status_on: str | None   # None: operating since establishment, or a date not delivered


def status_as_of(changes: tuple[StatusChange, ...], day: date) -> StatusAsOf:
    """The status valid on ``day`` from ``changes`` (in night order), read back from the latest.

    Each row says "status S since status_on". The latest row holds unless its status_on is after
    ``day``; then the episode before it does: the nearest earlier row of another status that began
    before it. Earlier rows of the same status are that episode's own (a date corrected, another
    field changed), and a row of another status claiming to begin on or after a later-recorded
    episode's start is superseded (a correction: revoked in error, the later row says otherwise). An
    operating row without status_on holds since establishment (a correction back to operating wipes
    the closing status before it); a closing status without status_on holds from the night that
    first delivered it. Before every recorded change the entity was operating (登记成立 = 存续)."""
    bound: date | None = None   # where the later episode already passed over begins
    i = len(changes) - 1
    while i >= 0:
        row, j = changes[i], i
        while j > 0 and changes[j - 1].status == row.status:
            j -= 1
        start = row.status_on or (None if row.status == OPERATING else changes[j].night)
        i = j - 1
        if bound is not None and start is not None and start >= bound:
            continue
        if start is None or start <= day:
            return _status(row.status, row.status_on)
        bound = start
    return _status(OPERATING, None)


def _status(status: str, on: date | None) -> StatusAsOf:
    return {"registration_status": status, "registration_status_label": REGISTRATION_STATUS_LABELS.get(status, status),
            "registration_status_on": on.isoformat() if on else None}


def status_changes(r: Mapping[Any, Any]) -> tuple[StatusChange, ...]:
    """The status changes of a row of rosters/entity_head, registration_of, registration_known or
    screening_names; an entity without history (loaded before it was kept) by its current row."""
    if r["status_nights"]:
        return tuple(StatusChange(n, s, o) for n, s, o in zip(r["status_nights"], r["statuses"], r["status_ons"],
                                                             strict=True))
    return (StatusChange(r["first_night"] or date.min, r["status"], r["status_on"]),)
