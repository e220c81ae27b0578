"""A cause whose cure the bureau established (查实) before the night that would list it (review,
issue 2). Causes 3 and 4 are states the bureau establishes and whose end it establishes too: the
listing is due 10 WD after 查实 of the fact (domain.md §3.2), its removal 5 WD after 查实 of the cure
(§3.3, 68号令 arts. 13–14; §3.4, 69号令 art. 18 for the individual's marking). A cure established by
the decision leaves no cause to list: no inclusion, for every entity kind (rules.yaml
``lapses_on_cure``). Causes 1 and 2 are missed periods (企业信息公示暂行条例 art. 18 para. 1, §3.6):
late performance does not undo them and is a ground for removal on application (§3.3).
Dates from the review's repro: the first night is 2026-07-13.
"""

from __future__ import annotations

from credit.rosters.read import entity_rosters
from tests.db.rosters.helpers import D, decisions, finding, night, reg, report

ENT = "91330213MAWH11H74Q"
IND = "92331003MAK0H7NF4G"
COOP = "93330102MA0000001X"
IND2 = "92330303MAUNXR8C5D"
ORD = "91330681484817905M"


def _reg(c, uscc: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    reg(c, uscc, kind=kind, established="2020-03-01", region="330213")
    report(c, uscc, 2025, "2026-03-01")


def test_no_listing_for_a_cause_cured_before_the_first_night(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        for u, k in ((ENT, "enterprise"), (IND, "individual"), (COOP, "farmer_coop"), (IND2, "individual"),
                     (ORD, "enterprise")):
            _reg(c, u, k)
        finding(c, "F1", ENT, "unreachable_address", "2025-01-29")
        finding(c, "F2", ENT, "contact_restored", "2025-03-27")
        finding(c, "F3", IND, "unreachable_address", "2026-04-05")
        finding(c, "F4", IND, "contact_restored", "2026-05-16")
        finding(c, "F5", COOP, "false_disclosure", "2026-02-02")
        finding(c, "F6", COOP, "disclosure_corrected", "2026-02-03")
        finding(c, "F7", IND2, "false_disclosure", "2025-11-09")
        finding(c, "F8", IND2, "disclosure_corrected", "2026-03-08")
        # cause 2: the ordered period ran out (查实 2025-09-08), published later (2025-11-09)
        finding(c, "F9", ORD, "ordered_disclosure_overdue", "2025-09-08")
        finding(c, "F10", ORD, "ordered_disclosure_done", "2025-11-09")
        night(c, settings, "2026-07-13")
        listed = [(d["uscc"], d["cause_code"]) for d in decisions(c, action="include")]
        assert listed == [(ORD, "instant_info_not_disclosed")]
        # a new fact after the cure is a new cause: listed (10 WD after its 查实, late data)
        finding(c, "F11", IND, "unreachable_address", "2026-07-14")
        night(c, settings, "2026-07-14")
        new = decisions(c, action="include", uscc=IND)
        assert [(d["roster"], d["trigger_date"], d["due_date"]) for d in new] == \
            [("abnormal_status", D("2026-07-14"), D("2026-07-28"))]


def test_a_listing_made_although_cured_before_it_is_revoked(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # The cure (查实 Thu 2026-07-09) reached the store only on night Wed 2026-07-15, after the listing of
    # Mon 07-13: the listing had no cause on its date; revoked as wrong, 5 WD from the night the
    # store held both (07-15 → Wed 2026-07-22).
    with engine.begin() as c:
        _reg(c, ENT, "enterprise")
        finding(c, "F1", ENT, "unreachable_address", "2026-07-06")
        night(c, settings, "2026-07-13")
        (inc,) = decisions(c, action="include")
        c.exec_driver_sql("""insert into findings (finding_id, uscc, kind, found_on, first_night, last_night)
                             values ('F2', '91330213MAWH11H74Q', 'contact_restored', '2026-07-09',
                                     '2026-07-15', '2026-07-15')""")
        night(c, settings, "2026-07-14")
        assert decisions(c, action="revoke") == []                  # not in the store yet
        night(c, settings, "2026-07-15")
        (rv,) = decisions(c, action="revoke")
        assert rv["entry_id"] == inc["seq"] and rv["rule_id"] == "any.revoke.fact_withdrawn"
        assert (rv["trigger_date"], rv["due_date"]) == (D("2026-07-15"), D("2026-07-22"))
        assert rv["facts"]["cured_on"] == "2026-07-09" and rv["facts"]["cured_before_listing"]
        assert [e["state"] for e in entity_rosters(c, ENT, D("2026-07-15"), settings)] == ["removed"]
        night(c, settings, "2026-07-15")
        assert len(decisions(c, action="revoke")) == 1              # re-running the night adds nothing
