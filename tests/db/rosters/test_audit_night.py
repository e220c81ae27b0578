"""``credit audit verify`` names the night that published the first broken decision (review D5):
the earliest night whose recorded head covers it, not the latest night that recorded the same head."""

from __future__ import annotations

import pytest

from credit.rosters.audit import verify_chain
from tests.db.rosters.helpers import D, night, three_nights

A = "91110105MA00000012"
B = "91110105MA00000025"


def _nights(c, settings) -> None:  # type: ignore[no-untyped-def]
    three_nights(c, settings, A, B)                            # seq 1, 2 | 3 | 4
    for day in ("2026-07-06", "2026-07-07", "2026-07-08"):      # quiet nights: the head stays at 4
        night(c, settings, day)


def _delete_as_superuser(c, where: str) -> None:  # type: ignore[no-untyped-def]
    # As the reviewer did: the superuser switches triggers off for the session, then deletes.
    c.exec_driver_sql("set session_replication_role = replica")
    c.exec_driver_sql(f"delete from roster_decisions where {where}")
    c.exec_driver_sql("set session_replication_role = origin")


def test_deleted_tail_names_the_night_that_published_it(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _nights(c, settings)
        heads = dict(c.exec_driver_sql("select night::text, max(seq) from roster_chain_anchors group by night").all())
    assert heads == {"2026-07-01": 2, "2026-07-02": 3, "2026-07-03": 4, "2026-07-06": 4,
                     "2026-07-07": 4, "2026-07-08": 4}, heads
    with engine.begin() as c:
        _delete_as_superuser(c, "seq = 4")
    with engine.connect() as c:
        bad = verify_chain(c)
    assert not bad.ok and bad.broken_seq == 4 and "missing" in (bad.problem or "")
    assert bad.broken_night == D("2026-07-03"), bad.message()
    assert "(night 2026-07-03)" in bad.message(), bad.message()


@pytest.mark.parametrize(("where", "seq", "problem", "night_named"), [
    ("seq >= 3", 3, "3–4", "2026-07-02"),                 # a tail of several nights: the first
    ("seq = 2", 3, "decision 2 missing", "2026-07-01"),   # a gap: the night of the missing decision
])
def test_the_night_named_is_that_of_the_first_broken_decision(engine, settings, where: str, seq: int,  # type: ignore[no-untyped-def]
                                                              problem: str, night_named: str) -> None:
    with engine.begin() as c:
        _nights(c, settings)
        _delete_as_superuser(c, where)
    with engine.connect() as c:
        bad = verify_chain(c)
    assert not bad.ok and bad.broken_seq == seq and problem in (bad.problem or ""), bad.message()
    assert bad.broken_night == D(night_named), bad.message()
