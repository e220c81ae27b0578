"""``credit audit verify`` names the night that published the first broken decision (review D5):
the earliest night whose recorded head covers it, not the latest night that recorded the same head."""

from __future__ import annotations

from credit.rosters.audit import verify_chain
from credit.rosters.repair import apply_for_removal
from tests.db.rosters.helpers import D, finding, night, reg, report

A = "91110105MA00000012"
B = "91110105MA00000025"


def _nights(c, settings) -> None:  # type: ignore[no-untyped-def]
    reg(c, A)
    reg(c, B)
    night(c, settings, "2026-07-01")                            # seq 1, 2
    finding(c, "F1", A, "unreachable_address", "2026-07-02")
    report(c, B, 2025, "2026-07-02")
    night(c, settings, "2026-07-02")                            # seq 3
    report(c, A, 2025, "2026-07-03")
    apply_for_removal(c, A, "abnormal", D("2026-07-03"), settings=settings)
    night(c, settings, "2026-07-03")                            # seq 4
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


def test_deleted_tail_of_several_nights_names_the_first(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _nights(c, settings)
        _delete_as_superuser(c, "seq >= 3")
    with engine.connect() as c:
        bad = verify_chain(c)
    assert not bad.ok and bad.broken_seq == 3 and "3–4" in (bad.problem or ""), bad.message()
    assert bad.broken_night == D("2026-07-02"), bad.message()


def test_a_gap_names_the_night_of_the_missing_decision(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _nights(c, settings)
        _delete_as_superuser(c, "seq = 2")
    with engine.connect() as c:
        bad = verify_chain(c)
    assert not bad.ok and bad.broken_seq == 3 and "decision 2 missing" in (bad.problem or ""), bad.message()
    assert bad.broken_night == D("2026-07-01"), bad.message()
