"""Legal dates end to end against domain.md §3.4, §12 and §13 (review s29): each test is a date the
system got wrong, checked day by day."""

from __future__ import annotations

from credit.rosters.repair import decide_objection, file_objection
from tests.db.rosters.helpers import D, decisions, finding, night, reg, report

A = "91110105MA00000012"


def test_objection_answered_at_the_year_end_is_not_late_and_its_limit_is_provisional(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 68号令 art. 16 (domain.md §3.4): accept within 5 WD of receipt, then verify within 20 WD. An
    # objection received Mon 2026-12-28 runs into 2027, whose holiday notice is not published: the
    # limit is provisional (§12), Mon–Fri without 1 January: accept by Jan 5, verify by Tue 2027-02-02.
    # The answer two days after receipt was logged with the receipt day as its limit and as late.
    with engine.begin() as c:
        reg(c, A)
        report(c, A, 2025, "2026-04-01")
        finding(c, "F1", A, "unreachable_address", "2026-12-14")
        night(c, settings, "2026-12-14")
        no = decisions(c)[0]["decision_no"]
        ok = file_objection(c, no, D("2026-12-28"), "地址可以联系", settings=settings)
        decide_objection(c, ok["id"], "dismissed", D("2026-12-30"), "王科长", settings=settings)
        (refuse,) = decisions(c, action="refuse")
        assert refuse["due_date"] is None and refuse["due_provisional"] == D("2027-02-02")
        assert refuse["late"] is False and "provisional" in refuse["due_note"]


def test_objection_within_the_window_is_in_time_even_when_the_window_ends_in_an_unpublished_year(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 68号令 art. 16 (domain.md §3.4): 30 days from the listing of Mon 2026-12-21 end in 2027 (about
    # 2027-01-20, provisional, §12). Rest days can only move that end later, so an objection received
    # on 2026-12-28 is in time whatever the 2027 notice says; it was recorded as "unknown".
    with engine.begin() as c:
        reg(c, A)
        report(c, A, 2025, "2026-04-01")
        finding(c, "F1", A, "unreachable_address", "2026-12-21")
        night(c, settings, "2026-12-21")
        no = decisions(c)[0]["decision_no"]
        ok = file_objection(c, no, D("2026-12-28"), "地址可以联系", settings=settings)
        assert ok["in_time"] is True and ok["filing_period_ends"].startswith("2027-01-20 (provisional")
        # accepted by Tue 2027-01-05 (Dec 29, 30, 31, Jan 4, 5), verified by Tue 2027-02-02 (20 WD):
        # both provisional, both given (the verification date was left empty)
        assert ok["accept_by"].startswith("2027-01-05 (provisional")
        assert ok["verify_by_if_accepted_on_last_day"].startswith("2027-02-02 (provisional")
        late = file_objection(c, no, D("2027-01-21"), settings=settings)
        assert late["in_time"] is None            # after the 30th day: only the 2027 notice can say


def test_an_unanswered_objection_past_its_acceptance_limit_shows_its_answer_limit(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # domain.md §13 example 4 (68号令 art. 16): received Thu 2026-08-13, accepted by Thu 08-20 (5 WD),
    # answered by Thu 09-17 (20 WD after the acceptance). The log records no acceptance step, so on
    # 09-10 the watch listed the objection as overdue since 08-20, although an answer that day is on
    # time (decide_objection judges it against 09-17). It now shows 09-17, naming the acceptance limit.
    from credit.rosters.deadlines import deadline_watch

    with engine.begin() as c:
        reg(c, A)
        report(c, A, 2025, "2026-04-01")
        finding(c, "F1", A, "unreachable_address", "2026-07-14")
        night(c, settings, "2026-07-14")
        no = decisions(c)[0]["decision_no"]
        file_objection(c, no, D("2026-08-13"), "地址可以联系", settings=settings)
        before = deadline_watch(c, D("2026-08-18"), 5, settings)
        assert before["due_date"].tolist() == [D("2026-08-20")] and before["note"].isna().all()
        w = deadline_watch(c, D("2026-09-10"), 5, settings)
        assert w["kind"].tolist() == ["objection"] and w["due_date"].tolist() == [D("2026-09-17")]
        assert w["overdue"].tolist() == [False] and w["working_days_left"].tolist() == [5]
        assert "受理期限 2026-08-20" in w["note"][0] and "68号令第十六条" in w["note"][0]
        assert deadline_watch(c, D("2026-09-18"), 5, settings)["overdue"].tolist() == [True]
