"""Golden due dates of the night's decisions across the 2026 Spring Festival (off 15–23 Feb, make-up
working days Sat 14 and Sat 28 Feb; domain.md §12), counted by hand: start day not counted, the
make-up Saturdays count, the holiday block does not (real PostgreSQL, fast)."""

from __future__ import annotations

from credit.rosters.repair import apply_for_removal
from tests.db.rosters.helpers import D, decisions, finding, night, reg, report

A = "91110105MA00000012"
B = "91110105MA00000025"


def test_inclusions_and_a_removal_due_across_the_holiday_block(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        reg(c, B)
        report(c, A, 2024, "2025-03-01")
        report(c, B, 2024, "2025-03-01")
        # cause 4 (68号令 art. 9): 10 WD after 查实 on Thu 2026-02-12: Fri 13 (1), Sat 14 (2),
        # Feb 24–27 (6), Sat 28 (7), Mar 2, 3, 4 (10)
        finding(c, "F1", A, "unreachable_address", "2026-02-12")
        # cause 2 (68号令 art. 7): the ordered period's last day is Sun 2026-02-15, inside the holiday →
        # it ends on Tue 02-24 (民法典 art. 203); 10 WD after it: Feb 25, 26, 27 (3), Sat 28 (4),
        # Mar 2–6 (9), Mon Mar 9 (10)
        finding(c, "F2", B, "ordered_disclosure_overdue", "2026-02-15")
        night(c, settings, "2026-02-12")
        assert [(d["uscc"], d["cause_code"]) for d in decisions(c, action="include")] == [(A, "unreachable")]
        night(c, settings, "2026-02-25")
        inc = {d["cause_code"]: d for d in decisions(c, action="include")}
        assert inc["unreachable"]["due_date"] == D("2026-03-04")
        assert inc["instant_info_not_disclosed"]["trigger_date"] == D("2026-02-24")
        assert inc["instant_info_not_disclosed"]["due_date"] == D("2026-03-09")
        # cause 2 removal (68号令 art. 12, 5 WD from receipt or publication, whichever is later)
        finding(c, "F3", B, "ordered_disclosure_done", "2026-02-25")
        app = apply_for_removal(c, B, "abnormal", D("2026-02-25"), settings=settings)
        # received Wed 02-25, published the same day: Feb 26, 27 (2), Sat 28 (3), Mar 2, 3 (5)
        assert app["decide_by"] == "2026-03-03"
