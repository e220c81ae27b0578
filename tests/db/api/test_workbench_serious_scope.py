"""An officer's own serious-list procedures in the workbench's default views (domain.md §4, issue 15):
the overview, 严重违法失信程序 and 期限提醒 show the procedures of the account's district, compared
by authority code. They compared the procedure's authority *name* with a prefix of codes, so a
county's approver read "没有未办结的列入程序" while its case waited, overdue, for the art. 12
assessment (an outsider's acceptance pass, s36)."""

from __future__ import annotations

from credit.api.officers import add_officer
from tests.db.api.support import A, D, Live, register
from tests.db.api.workbench_support import PASSWORD, bench, officer_session  # noqa: F401  (the fixture)
from tests.db.rosters.helpers import night, penalty


def test_a_district_sees_its_own_procedures_and_the_higher_bureau_sees_them_too(bench: Live) -> None:  # noqa: F811
    # A heavier food-safety penalty of the county-level authority 110105 (朝阳区), decided 2026-03-02:
    # the night proposes and notifies; from 03-10 the officer owes the assessment.
    with bench.engine.begin() as c:
        register(c, A, "北京甲科技有限公司")
        penalty(c, "P1", A, "2026-03-02")
        night(c, bench.settings, "2026-03-02")
        add_officer(c, "shi.ju", "市局", "approver", "110000", PASSWORD)   # the next-higher bureau (consent)
    bench.clock["today"] = D("2026-03-10")
    for login, sees in (("zhang.shen", True), ("li.ban", True), ("shi.ju", True), ("wang.dong", False)):
        with officer_session(bench, login) as h:
            overview = h.get("/bureau").text
            listing = h.get("/bureau/serious").text
            watch = h.get("/bureau/deadlines").text
            assert ('id="proc-1"' in overview) is sees, (login, "overview")
            assert ("P1" in listing and "第十二条裁量评估" in listing) is sees, (login, "serious")
            assert ("没有未办结的列入程序" in listing) is not sees, (login, "serious")
            assert ("case P1" in watch or "P1" in watch) is sees, (login, "deadlines")
            # ?scope=all shows every district's, as before.
            assert "P1" in h.get("/bureau/serious?scope=all").text
