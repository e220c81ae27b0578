"""Properties of the decision log (hypothesis), on real PostgreSQL, with nights run every day.

Each example plays a random story over twelve nights across 30 June (annual reports, findings,
spot checks, heavier penalties, applications) inside one transaction that is rolled back.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from credit.rosters.env import RosterEnv
from credit.rosters.repair import Refused, apply_for_removal
from tests.db.rosters.helpers import decisions, finding, inspection, night, penalty, reg, report

START = date(2026, 6, 24)
DAYS = 12
USCCS = [f"91110105MA000000{i}{c}" for i, c in zip(range(1, 5), "ABCD", strict=True)]
KINDS = ("unreachable_address", "contact_restored", "false_disclosure", "disclosure_corrected",
         "inspect_unreachable", "report", "penalty", "apply_abnormal", "apply_serious")

event = st.tuples(st.integers(0, len(USCCS) - 1), st.sampled_from(KINDS), st.integers(0, DAYS - 1))


def _fold(rows: list[dict], as_of: date) -> set[tuple]:  # type: ignore[type-arg]
    """State on ``as_of`` computed in Python from the decisions up to that date (independent of SQL)."""
    entries: dict[int, dict] = {}  # type: ignore[type-arg]
    for r in sorted(rows, key=lambda r: (r["decision_date"], r["seq"])):
        if r["decision_date"] > as_of:
            continue
        if r["action"] in ("include", "escalate"):
            entries[r["seq"]] = {"uscc": r["uscc"], "roster": r["roster"], "cause": r["cause_code"],
                                 "on": r["decision_date"], "no": r["decision_no"], "state": "listed", "off": None}
        elif r["action"] in ("remove", "revoke") and entries.get(r["entry_id"], {}).get("state") == "listed":
            entries[r["entry_id"]].update(state="removed", off=r["decision_date"])
    return {(e["uscc"], e["roster"], e["cause"], e["on"], e["no"], e["state"], e["off"]) for e in entries.values()}


@hsettings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(event, max_size=14))
def test_daily_nights_keep_the_log_consistent(engine, settings, events) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as c:
        tx = c.begin()
        try:
            for u in USCCS:
                reg(c, u, established="2024-05-01")
            for day in range(DAYS):
                d = START + timedelta(days=day)
                for n, (who, kind, at) in enumerate(events):
                    if at != day:
                        continue
                    u, iso = USCCS[who], d.isoformat()
                    if kind == "report":
                        c.execute(sa.text("delete from annual_reports where uscc = :u"), {"u": u})
                        report(c, u, 2025, iso)
                    elif kind == "inspect_unreachable":
                        inspection(c, f"T{n}", u, iso, "unreachable")
                    elif kind == "penalty":
                        penalty(c, f"P{n}", u, iso, fulfilled_on=iso)
                    elif kind.startswith("apply"):
                        try:
                            apply_for_removal(c, u, kind.removeprefix("apply_"), d, settings=settings)
                        except Refused:
                            pass                                   # not listed: the clerk is told so
                    else:
                        finding(c, f"F{n}", u, kind, iso)
                before = c.execute(sa.text("select count(*) from roster_decisions")).scalar()
                night(c, settings, d)
                after = c.execute(sa.text("select count(*) from roster_decisions")).scalar()
                # deciding the same night again adds nothing (dedupe on facts)
                assert night(c, settings, d)["decisions"] == 0
                assert c.execute(sa.text("select count(*) from roster_decisions")).scalar() == after >= before
            rows = decisions(c)
            # nights every day: no decision is made after its due date
            assert all(r["due_date"] is None or r["decision_date"] <= r["due_date"] for r in rows), \
                [(r["action"], r["cause_code"], r["decision_date"], r["due_date"]) for r in rows if r["late"]]
            # an inclusion is due its rule's period after its trigger (domain.md §3.2: 10 WD after
            # 30 June, the order period's expiry or 查实; §12 start day not counted)
            env = RosterEnv.load(settings)
            for r in rows:
                if r["action"] == "include" and r["due_date"] is not None:
                    period = env.rules.at(r["rule_id"], r["trigger_date"]).period
                    assert period is not None and r["due_date"] == period.end(r["trigger_date"], env.cal), \
                        (r["rule_id"], r["trigger_date"], r["due_date"])
            # no fact yields two inclusions
            inc = [r["fact_key"] for r in rows if r["action"] in ("include", "escalate")]
            assert len(inc) == len(set(inc))
            # state as of D is the fold of the decisions up to D (SQL function vs Python fold)
            for k in range(0, DAYS + 1, 3):
                d = START + timedelta(days=k)
                sql = {tuple(r) for r in c.execute(sa.text(
                    "select uscc, roster, cause_code, included_on, decision_no, state, removed_on "
                    "from roster_entries_as_of(:d)"), {"d": d})}
                assert sql == _fold(rows, d)
            # an entity is never removed before it was included; never two open entries per cause —
            # except where each entry stands on its own fact with its own clock: a report year
            # (annual_report_missing) or a heavier penalty (each listing is decided with its own
            # penalty and runs its own three years, 44号令; "no fact yields two inclusions" above).
            end = START + timedelta(days=DAYS)
            state = _fold(rows, end)
            assert all(off is None or off >= on for (_, _, _, on, _, _, off) in state)
            per_fact = {"annual_report_missing", "heavier_penalty"}
            open_keys = [(u, r, cz) for (u, r, cz, _, _, s, _) in state if s == "listed" and cz not in per_fact]
            assert len(open_keys) == len(set(open_keys))
        finally:
            tx.rollback()
