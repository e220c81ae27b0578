"""An entity's applications for removal across a removal and a re-inclusion, and across two entries
listed at once (domain.md §3.3: an application covers the entries listed when it is received; each
is decided within its own limit)."""

from __future__ import annotations

from credit.rosters.read import entity_rosters
from credit.rosters.repair import apply_for_removal
from credit.rosters.requests import application_decide_by, request_of
from tests.db.rosters.helpers import D, finding, night, reg, report

A = "91110105MA0000001A"


def test_a_removed_entry_does_not_show_an_application_received_after_its_removal(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 68号令 art. 10, domain.md §3.3: an application concerns the entries on the roster when it is
    # received. Listed unreachable 07-01, removed 07-06 on contact restored; listed again on a new
    # finding 08-03; the application of 08-04 concerns the second entry only — the first, removed
    # a month before, must not show it as "pending" (it would stay pending forever).
    with engine.begin() as c:
        reg(c, A)
        report(c, A, 2025, "2026-03-01")
        finding(c, "F1", A, "unreachable_address", "2026-07-01")
        night(c, settings, "2026-07-01")
        finding(c, "F2", A, "contact_restored", "2026-07-06")
        first = apply_for_removal(c, A, "abnormal", D("2026-07-06"), settings=settings)
        night(c, settings, "2026-07-06")
        finding(c, "F3", A, "unreachable_address", "2026-08-03")
        night(c, settings, "2026-08-03")
        second = apply_for_removal(c, A, "abnormal", D("2026-08-04"), settings=settings)
        old, new = entity_rosters(c, A, D("2026-08-04"), settings)
        assert old["state"] == "removed" and old["removed_on"] == "2026-07-06"
        assert [a["id"] for a in old["applications"]] == [first["id"]]
        assert old["applications"][0]["status"] == "removed"
        assert new["state"] == "listed"
        assert [a["id"] for a in new["applications"]] == [second["id"]]
        assert [a["id"] for a in new["pending_applications"]] == [second["id"]]


def test_a_refused_application_keeps_the_limit_it_was_decided_by(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 68号令 art. 11, domain.md §3.3: an application for the missing report received Mon 07-06 is
    # due 5 WD later, Mon 07-13. Refused (report still missing) and the report filed later, with
    # a new application on 08-04: the refused application still shows 07-13 — not the 08-11 of the
    # later cure, which arrived after it was answered.
    with engine.begin() as c:
        reg(c, A)
        night(c, settings, "2026-07-01")
        first = apply_for_removal(c, A, "abnormal", D("2026-07-06"), settings=settings)
        assert first["decide_by"] == "2026-07-13"
        for d in ("2026-07-06", "2026-07-13", "2026-07-14"):
            night(c, settings, d)
        report(c, A, 2025, "2026-08-04")
        second = apply_for_removal(c, A, "abnormal", D("2026-08-04"), settings=settings)
        night(c, settings, "2026-08-04")
        (entry,) = entity_rosters(c, A, D("2026-08-04"), settings)
        refused, removed = entry["applications"]
        assert refused["id"] == first["id"] and refused["status"] == "refused"
        assert refused["decision"] is not None and refused["decision"]["decision_date"] <= "2026-07-14"
        assert refused["decide_by"] == "2026-07-13"
        assert removed["id"] == second["id"] and removed["status"] == "removed" and removed["decide_by"] == "2026-08-11"


def test_the_applicants_page_keeps_a_refused_applications_limit_too(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # The same story as the applicant reads it (GET /v1/repair-applications/{id}, docs/api.md:
    # decide_by derived when read): the refused application was due Mon 07-13, whatever was filed
    # after its answer (68号令 art. 11, domain.md §3.3).
    with engine.begin() as c:
        reg(c, A)
        night(c, settings, "2026-07-01")
        first = apply_for_removal(c, A, "abnormal", D("2026-07-06"), settings=settings)
        for d in ("2026-07-06", "2026-07-13", "2026-07-14"):
            night(c, settings, d)
        report(c, A, 2025, "2026-08-04")
        second = apply_for_removal(c, A, "abnormal", D("2026-08-04"), settings=settings)
        night(c, settings, "2026-08-04")
        q1, q2 = request_of(c, first["id"]), request_of(c, second["id"])
        assert q1 is not None and q2 is not None
        assert application_decide_by(c, q1, settings) == (D("2026-07-13"), None, None)
        assert application_decide_by(c, q2, settings) == (D("2026-08-11"), None, None)
