"""A cause-1 listing revoked because its report was filed in time (any.revoke.fact_withdrawn) is
due from the night the stored report came to show that, not from the night the report first
arrived: a report delivered filed late and corrected to a date in time on a later night could not
be acted on before the correction (the serious-list proposal's defect, outside review item 8)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.db.rosters.helpers import D, decisions, night, reg

A = "91110105MA00000012"
B = "91110105MA00000020"


def _report(c, uscc: str, night_: str, change: str, filed_on: str) -> None:  # type: ignore[no-untyped-def]
    """The drop of ``night_`` brings the 2025 report of ``uscc``: current row and history row, as
    the night's merge writes them."""
    row = {"u": uscc, "n": D(night_), "f": D(filed_on), "ch": change}
    if change == "new":
        c.execute(sa.text("""insert into annual_reports (uscc, report_year, filed_on, first_night, last_night)
                             values (:u, 2025, :f, :n, :n)"""), row)
    else:
        c.execute(sa.text("update annual_reports set filed_on = :f, last_night = :n where uscc = :u"), row)
    c.execute(sa.text("""insert into annual_reports_history (night, change, uscc, report_year, filed_on)
                         values (:n, :ch, :u, 2025, :f)"""), row)


def test_a_report_corrected_to_in_time_is_due_from_the_correction(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A, established="2020-03-01")
        reg(c, B, established="2020-03-01")
        night(c, settings, "2026-07-01")                       # both listed: no 2025 report by 06-30
        assert sorted(d["uscc"] for d in decisions(c, action="include")) == [A, B]
        _report(c, A, "2026-07-06", "new", "2026-07-03")       # filed late: the listing stands
        _report(c, B, "2026-07-06", "new", "2026-06-25")       # filed in time, delivered late
        night(c, settings, "2026-07-06")
        _report(c, A, "2026-07-20", "changed", "2026-06-20")   # corrected: it was filed in time
        night(c, settings, "2026-07-20")
        got = [(d["uscc"], d["decision_date"], d["trigger_date"], d["due_date"], d["late"])
               for d in decisions(c, action="revoke")]
        # 5 working days (rules.yaml any.revoke.fact_withdrawn): from 07-06 to 07-13, from 07-20 to 07-27
        assert got == [(B, D("2026-07-06"), D("2026-07-06"), D("2026-07-13"), False),
                       (A, D("2026-07-20"), D("2026-07-20"), D("2026-07-27"), False)]
