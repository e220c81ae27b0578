"""The rosters as read: every roster on a date, one entity's entries with their repair dates.

Nothing here is stored: the state on any date is the fold of the decisions made up to that date
(SQL function ``roster_entry_detail_as_of``), and due dates are derived when read, so a date
computed while the holiday schedule was unpublished is exact once the year is known.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.calendar import add_years
from credit.rosters.env import RosterEnv, effective_due, removal_rule
from credit.settings import Settings

EXPORT_COLUMNS = ["uscc", "name", "roster", "cause_code", "cause", "basis", "included_on", "decision_no",
                  "authority", "state", "removed_on", "removal_reason"]
APPLICATION_WINDOW_YEARS = 3  # 68号令 art. 10: apply within 3 years of inclusion (domain.md §3.3)


def roster_as_of(conn: Connection, as_of: date, roster: str | None = None) -> pd.DataFrame:
    """The roster(s) on ``as_of``, folded from the log: the export columns plus ``entity_kind``.

    Every entry ever included up to ``as_of`` appears, ``state`` listed or removed (a revoked
    listing shows as removed with the revocation's reason), so a past date is answered from our
    own history (domain.md trap 5).
    """
    df = sqlfiles.frame(conn, "rosters/entries_as_of", {"d": as_of, "r": roster})
    return df.reindex(columns=EXPORT_COLUMNS + ["entity_kind"])


def latest_night(conn: Connection) -> date | None:
    """The latest published night (``max(night)`` of ``night_runs``): how far the data reach."""
    return conn.execute(sa.text("select max(night) from night_runs")).scalar()


def cure_established_on(conn: Connection, entry_id: int, on: date) -> date | None:
    """The day the bureau established (查实) the cure of an abnormal-roster entry, known by ``on``."""
    return conn.execute(sqlfiles.statement("rosters/cure_established"), {"e": entry_id, "on": on}).scalar()


def application_due(env: RosterEnv, rule_id: str, received: date, due: date | None, provisional: date | None,
                    cure_on: date | None) -> tuple[date | None, date | None, str | None]:
    """(decide_by, provisional, note) of an application for removal as known now.

    Causes 3 and 4 (``limit_from: cure``): 5 WD from 查实 of the cure (not before receipt); while
    the cure is not established there is no date yet. Otherwise the stored date, a provisional
    one recomputed when the calendar has learnt its year.
    """
    if env.limit_from(rule_id) == "cure":
        if cure_on is None:
            return None, None, "自查实已更正公示信息或已恢复联系之日起5个工作日内决定（查实前不计算）" \
                               "(5 WD from the bureau's finding that the cure happened; not yet established)"
        d, p = env.derive_due(rule_id, max(received, cure_on))
        return d, p, None
    d, p = effective_due(env, rule_id, received, due, provisional)
    return d, p, None


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def entity_rosters(conn: Connection, uscc: str, as_of: date, settings: Settings | None = None) -> list[dict[str, Any]]:
    """One entity's entries on ``as_of`` with causes, bases, dates and 文号, repair eligibility with
    dates, and every application for removal on the entry with its answer (pending / refused / removed)."""
    env = RosterEnv.load(settings)
    rows = conn.execute(sqlfiles.statement("rosters/entity_entries"), {"d": as_of, "u": uscc.strip().upper()}).mappings().all()
    hints = env.cfg.get("removal_hints") or {}
    out: list[dict[str, Any]] = []
    for r in rows:
        item: dict[str, Any] = {
            "roster": r["roster"], "cause_code": r["cause_code"], "cause": r["cause"], "basis": r["basis"],
            "included_on": r["included_on"].isoformat(), "decision_no": r["decision_no"],
            "authority": r["authority_name"], "state": r["state"],
            "removed_on": r["removed_on"].isoformat() if r["removed_on"] else None,
            "removal_reason": r["removal_reason"], "removal_no": r["removal_no"],
        }
        # The inclusion's own limit, derived when read: a provisional date is recomputed once the
        # calendar knows its year, and the decision is then late if it came after it.
        due, prov = effective_due(env, r["inc_rule_id"], r["inc_trigger"], r["inc_due"], r["inc_provisional"])
        item["decision_due"] = _iso(due)
        item["decision_due_provisional"] = _iso(prov)
        item["decided_late"] = bool(due is not None and r["included_on"] > due)
        rule_id = removal_rule(r["roster"], r["cause_code"])
        if r["roster"] == "serious":
            item["removal_possible"] = hints.get("serious")
            item["early_removal_from"] = (add_years(r["included_on"], 1) + timedelta(days=1)).isoformat()
            if r["effective_until"]:
                item["automatic_removal_on"] = (r["effective_until"] + timedelta(days=1)).isoformat()
        else:
            item["removal_possible"] = hints.get(r["cause_code"])
            item["removal_limit_from"] = env.limit_from(rule_id)
            if r["roster"] == "abnormal":
                # 68号令 art. 10: the application is made within 3 years of inclusion (民法典 art. 202).
                item["apply_until"] = add_years(r["included_on"], APPLICATION_WINDOW_YEARS).isoformat()
        cure_on = cure_established_on(conn, r["entry_id"], as_of) if env.limit_from(rule_id) == "cure" else None
        if r["roster"] != "serious" and env.limit_from(rule_id) == "cure":
            item["cure_established_on"] = _iso(cure_on)
        apps = conn.execute(sqlfiles.statement("rosters/entity_applications"), {"u": r["uscc"], "r": r["roster"], "d": as_of, "e": r["entry_id"],
                                 "inc": r["included_on"]}).mappings().all()
        applications = []
        for p in apps:
            by, by_prov, note = application_due(env, p["rule_id"], p["received_on"], p["due_date"],
                                                p["due_provisional"], cure_on)
            status = {"remove": "removed", "refuse": "refused"}.get(p["action"] or "", "pending")
            applications.append({
                "id": p["id"], "received_on": p["received_on"].isoformat(), "status": status,
                "decide_by": _iso(by), "decide_by_provisional": _iso(by_prov), "decide_by_note": note,
                "decision": None if p["action"] is None else {
                    "action": p["action"], "decision_no": p["decision_no"],
                    "decision_date": p["decision_date"].isoformat(), "reason": p["reason"], "basis": p["basis"]},
            })
        item["applications"] = applications
        if r["state"] == "listed":
            item["pending_applications"] = [
                {k: a[k] for k in ("id", "received_on", "decide_by", "decide_by_provisional", "decide_by_note")}
                for a in applications if a["status"] == "pending"]
        out.append(item)
    return out
