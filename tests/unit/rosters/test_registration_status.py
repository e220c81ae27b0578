"""The registration status on a day, folded from an entity's status changes as recorded
(credit.rosters.registration.status_as_of): given rows, expected status."""

from __future__ import annotations

from datetime import date

import pytest

from credit.rosters.registration import StatusChange, status_as_of


def D(s: str) -> date:
    return date.fromisoformat(s)


def rows(*given: tuple[str, str, str | None]) -> tuple[StatusChange, ...]:
    return tuple(StatusChange(D(n), s, D(o) if o else None) for n, s, o in given)


OPEN = ("2026-07-01", "operating", None)


@pytest.mark.parametrize(("changes", "day", "want"), [
    # cancelled on 07-15: operating before, cancelled on the day
    (rows(OPEN, ("2026-07-16", "cancelled", "2026-07-15")), "2026-07-14", ("operating", None)),
    (rows(OPEN, ("2026-07-16", "cancelled", "2026-07-15")), "2026-07-15", ("cancelled", "2026-07-15")),
    # revoked, then cancelled (吊销 then 注销): each from its own day
    (rows(OPEN, ("2026-07-11", "revoked", "2026-07-10"), ("2026-09-02", "cancelled", "2026-09-01")),
     "2026-08-01", ("revoked", "2026-07-10")),
    (rows(OPEN, ("2026-07-11", "revoked", "2026-07-10"), ("2026-09-02", "cancelled", "2026-09-01")),
     "2026-09-01", ("cancelled", "2026-09-01")),
    # a revocation recorded in error, delivered again as operating without a date: never revoked
    (rows(OPEN, ("2026-07-15", "revoked", "2026-07-13"), ("2026-07-16", "operating", None)),
     "2026-07-14", ("operating", None)),
    # a date corrected later (07-20 → 07-10) and earlier (07-10 → 07-20)
    (rows(OPEN, ("2026-07-21", "moved_out", "2026-07-20"), ("2026-07-22", "moved_out", "2026-07-10")),
     "2026-07-15", ("moved_out", "2026-07-10")),
    (rows(OPEN, ("2026-07-11", "moved_out", "2026-07-10"), ("2026-07-22", "moved_out", "2026-07-20")),
     "2026-07-15", ("operating", None)),
    # corrected from revoked on 07-10 to cancelled on 07-12 is read as revoked, then cancelled: the rows
    # cannot tell a correction of the kind from a later change, and 吊销 then 注销 is the common path
    (rows(OPEN, ("2026-07-11", "revoked", "2026-07-10"), ("2026-07-13", "cancelled", "2026-07-12")),
     "2026-07-11", ("revoked", "2026-07-10")),
    # a status that claims to begin after a later-recorded one's start is superseded by it
    (rows(OPEN, ("2026-07-21", "revoked", "2026-07-20"), ("2026-07-22", "cancelled", "2026-07-05")),
     "2026-07-21", ("cancelled", "2026-07-05")),
    # a closing status delivered without a date counts from the night that first delivered it
    (rows(OPEN, ("2026-07-16", "cancelled", None), ("2026-07-18", "cancelled", None)), "2026-07-15",
     ("operating", None)),
    (rows(OPEN, ("2026-07-16", "cancelled", None), ("2026-07-18", "cancelled", None)), "2026-07-17",
     ("cancelled", None)),
    # first delivered already cancelled: operating before its day (established, not yet cancelled)
    (rows(("2026-07-14", "cancelled", "2020-05-01")), "2019-01-01", ("operating", None)),
    # operating again from a day (e.g. moved back in): the closing status holds before it
    (rows(OPEN, ("2026-07-11", "moved_out", "2026-07-10"), ("2026-08-02", "operating", "2026-08-01")),
     "2026-07-20", ("moved_out", "2026-07-10")),
])
def test_the_status_valid_on_the_day(changes: tuple[StatusChange, ...], day: str,
                                     want: tuple[str, str | None]) -> None:
    got = status_as_of(changes, D(day))
    assert (got["registration_status"], got["registration_status_on"]) == want
