"""Repair of penalty information (行政处罚信息信用修复): the application and the night's decision.

An applicant applies to stop the publicity of one penalty (``case_no``) like it applies for
removal from a roster (domain.md §5.1, §6 art. 14). The application is a ``roster_requests`` row
(roster ``penalty``); the answer is a decision of the one log (roster ``penalty``): ``remove``
(repaired: the penalty is no longer published, nor used in grading) or ``refuse`` with a Chinese
reason. The night decides within the rule's limit (rules.yaml ``pen.repair``: 7 WD under order
107, 15 WD before); with ``drafts: penalty`` switched on in rosters.yaml it writes drafts for an
officer instead (the roster machinery does that for every roster of the log).

The night refuses at once an application that cannot succeed — made before the earliest repair
date (saying from when), on a penalty whose publicity cannot be stopped early, or on one no
longer published — and grants one whose conditions hold (45号令 art. 14 para. 1: performed, no
new penalty of the same kind, on neither roster); one still unmet when its limit runs out is
refused with the conditions missing.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from typing import Any, TypedDict

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.calendar import UnknownCalendarYear
from credit.night import scope as night_scope
from credit.night.scope import NightScope
from credit.penalties.performance import COMPLETE_WHEN_DECIDED
from credit.penalties.publicity import load_publicity_rules, records
from credit.penalties.read import penalties_of, repair_available
from credit.rosters.env import RosterEnv
from credit.rosters.log import LOCK_KEY
from credit.rosters.repair import COUNTER, Due, Refused, proven_applicant, record_applicant
from credit.settings import Settings

RULE = "pen.repair"
REFUSE_RULE = "pen.refuse.repair"
END_RULE = "pen.end.repair"
#: Why an application ends without a repair decision: the penalty is no longer the applicant's.
#: Said to the applicant in Chinese (the decision's reason); the facts say it to officers in both.
NOT_APPLICANTS = {
    "reassigned": ("该行政处罚信息经处罚机关更正，当事人为其他市场主体，已不是申请人的行政处罚信息，本申请终止，无需信用修复",
                   "the penalty was corrected to name another entity: it is no longer the applicant's, "
                   "the application ends"),
    "dropped": ("该行政处罚信息已不在处罚机关的处罚记录中，已不是申请人的行政处罚信息，本申请终止，无需信用修复",
                "the penalty is no longer in the authority's record (a full snapshot left it out): "
                "the application ends"),
}
CAUSE = "penalty_publicity"


class PenaltyRepairApplication(TypedDict):
    """An application for repair of penalty information as recorded."""

    id: int
    uscc: str
    roster: str
    case_no: str
    received_on: str
    decide_by: str | None
    decide_by_provisional: str | None
    rule: str
    basis: str
    note: str | None
    repair_from: str | None
    entries: list[str]        # the penalty's document number (决定书文号)


def apply_for_penalty_repair(conn: Connection, uscc: str, case_no: str, received: date, grounds: str | None = None,
                             *, recorded_by: str = "clerk", settings: Settings | None = None,
                             applicant: str = COUNTER, receipt_hash: str | None = None) -> PenaltyRepairApplication:
    """Record an application to repair (stop the publicity of) penalty ``case_no`` received on ``received``.

    Refused (:class:`credit.rosters.repair.Refused`) when the penalty is not the applicant's or is
    not published on that day (nothing to repair), or when an application of the same
    ``applicant`` on it is still pending (another applicant's does not block, issue 14; only an
    identity the applicant alone holds counts, :func:`credit.rosters.repair.proven_applicant`). An application made before the earliest repair date is recorded and refused by the
    night with that date (the bureau answers every application)."""
    env = RosterEnv.load(settings)
    uscc = uscc.strip().upper()
    # as the drop's case numbers are stored: NFKC (full-width digits) and trimmed (contracts.md §1)
    case_no = unicodedata.normalize("NFKC", case_no).strip()
    conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    mine = {p["case_no"]: p for p in penalties_of(conn, uscc, received, None, settings)}
    p = mine.get(case_no)
    if p is None:
        raise Refused(f"{uscc} 没有案号为 {case_no} 的行政处罚信息 (no penalty {case_no} of this entity known by "
                      f"{received.isoformat()})")
    if p["state"] != "published":
        raise Refused(f"案号 {case_no} 的行政处罚信息在 {received.isoformat()} 不在公示中（{p['state_label']}），"
                      f"无需申请信用修复 (not published on that day: {p['state']})")
    first = conn.execute(sqlfiles.statement("penalties/pending_on_case"), {"c": case_no, "a": applicant}).mappings().first() \
        if proven_applicant(applicant) else None
    if first is not None:
        raise Refused(f"案号 {case_no} 已有尚未决定的信用修复申请（申请编号 {first['id']}，"
                      f"{first['received_on'].isoformat()} 收到），不重复受理 (application {first['id']} is pending)")
    version = env.rules.find(RULE, received) or env.rules.versions(RULE)[0]
    due = Due.of(version.main_period(), received, env)
    note = None
    if not repair_available(p):
        note = p["repair_note"] or "该处罚信息不得提前停止公示"
    elif p["repair_from"] is not None and received < date.fromisoformat(p["repair_from"]):
        note = f"未满最短公示期限，{p['repair_from']} 起方可申请信用修复 (too early: from {p['repair_from']})"
    row = conn.execute(sqlfiles.statement("penalties/insert_repair_request"), {
        "u": uscc, "d": received, "g": grounds, "by": recorded_by, "rid": RULE, "rv": version.version,
        "due": due.day, "prov": due.provisional, "note": note, "cv": env.config_version, "case_no": case_no,
    }).scalar_one()
    record_applicant(conn, int(row), applicant, receipt_hash)
    return {"id": int(row), "uscc": uscc, "roster": "penalty", "case_no": case_no, "received_on": received.isoformat(),
            "decide_by": due.day.isoformat() if due.day else None,
            "decide_by_provisional": due.provisional.isoformat() if due.provisional else None,
            "rule": version.version, "basis": version.basis, "note": note, "repair_from": p["repair_from"],
            "entries": [p["doc_no"] or case_no]}


def _limit(env: RosterEnv, received: date) -> date | None:
    v = env.rules.find(RULE, received) or env.rules.versions(RULE)[0]
    try:
        return v.main_period().end(received, env.cal)
    except UnknownCalendarYear:
        return None


def _unmet(r: dict[str, object], night: date, conditions: dict[str, bool]) -> list[str]:
    out = []
    fulfilled = r["fulfilled_on"]
    if conditions.get("performed", True) and not (isinstance(fulfilled, date) and fulfilled <= night):
        out.append("尚未履行行政处罚决定")
    if conditions.get("no_new_same_category", True) and r["new_same_category"]:
        out.append("此后再次受到同类行政处罚")
    if conditions.get("not_on_roster", True) and r["on_roster"]:
        out.append("被列入经营异常名录或严重违法失信名单")
    return out


def repair_candidates(conn: Connection, env: RosterEnv, night: date, settings: Settings | None = None, *,
                      scope: NightScope | None = None) -> pd.DataFrame:
    """The night's decisions on pending penalty repair applications, as candidates for the log's
    writer (:func:`credit.rosters.log.finalise`); with a ``scope``, of its entities only."""
    df = night_scope.frame(conn, "penalties/pending_repairs", {"n": night, "complete": list(COMPLETE_WHEN_DECIDED)},
                           scope).sort_values(
        "request_id", ignore_index=True)
    if df.empty:
        return df
    rules = load_publicity_rules(settings)
    out = []
    for r in records(df):
        received: date = r["received_on"]
        reason: str | None = None
        grant = False
        until = r["publicity_until"]
        # Decided on what the record says tonight: a penalty corrected to name another entity, or
        # left out by a full snapshot, is no longer the applicant's (contracts.md §1) — the
        # application ends; it is not judged as if the applicant were still the party.
        gone = "dropped" if r["penalty_dropped"] else "reassigned" if r["penalty_uscc"] != r["uscc"] else None
        if gone is not None and not r["repaired"]:
            out.append(_ended(r, gone, env))
            continue
        if r["repaired"]:
            reason = "该行政处罚信息已信用修复，停止公示"
        elif not r["published"] or (r["withdrawn_on"] is not None and r["withdrawn_on"] <= night) or \
                (r["revoked_on"] is not None and r["revoked_on"] <= night):
            reason = "该行政处罚信息未公示或已撤回公示，无需信用修复"
        elif until is not None and until < night:
            reason = f"该行政处罚信息已于 {until.isoformat()} 公示期满，停止公示，无需信用修复"
        elif r["repair_from"] is None:
            reason = r["repair_note"] or "该行政处罚信息不得提前停止公示"
        elif received < r["repair_from"]:
            reason = (f"行政处罚信息公示未满最短公示期限（{rules.label(str(r['class']))}），"
                      f"自 {r['repair_from'].isoformat()} 起方可申请信用修复")
        else:
            unmet = _unmet(r, night, rules.conditions)
            if not unmet:
                grant = True
            else:
                limit = _limit(env, received)
                if limit is not None and limit <= night:
                    reason = "；".join(unmet) + "，不符合信用修复条件"
        if not grant and reason is None:
            continue   # conditions may still be met before the limit: the deadline watch shows it
        out.append({
            "uscc": r["uscc"], "roster": "penalty", "action": "remove" if grant else "refuse",
            "rule_id": RULE if grant else REFUSE_RULE, "cause_code": CAUSE, "request_id": r["request_id"],
            "region_code": r["region_code"], "trigger_date": received, "due_start": received,
            "due_date": _limit(env, received),
            "fact_key": f"penalty_repair:{r['case_no']}" if grant else f"refuse:{r['request_id']}:penalty",
            "facts": json.dumps({"case_no": r["case_no"], "request_id": int(r["request_id"]),
                                 "received_on": received.isoformat(), "class": r["class"],
                                 "repair_from": r["repair_from"].isoformat() if r["repair_from"] else None,
                                 "fulfilled_on": r["fulfilled_on"].isoformat() if r["fulfilled_on"] else None},
                                ensure_ascii=False, sort_keys=True),
            "reason": None if grant else reason,
        })
    return pd.DataFrame(out)


def _ended(r: dict[str, Any], why: str, env: RosterEnv) -> dict[str, Any]:
    """The answer to an application on a penalty that is no longer the applicant's (``why``:
    ``reassigned`` or ``dropped``, :data:`NOT_APPLICANTS`): it ends, numbered, under
    rules.yaml ``pen.end.repair`` (the bureau answers every application, domain.md §5.1)."""
    zh, en = NOT_APPLICANTS[why]
    received: date = r["received_on"]
    facts: dict[str, Any] = {"case_no": r["case_no"], "request_id": int(r["request_id"]),
                             "received_on": received.isoformat(), "ended": why, "note": f"{zh} ({en})"}
    if why == "reassigned":
        facts["penalty_now_names"] = r["penalty_uscc"]
    return {"uscc": r["uscc"], "roster": "penalty", "action": "refuse", "rule_id": END_RULE, "cause_code": CAUSE,
            "request_id": r["request_id"], "region_code": r["region_code"], "trigger_date": received,
            "due_start": received, "due_date": _limit(env, received),
            "fact_key": f"refuse:{r['request_id']}:penalty",
            "facts": json.dumps(facts, ensure_ascii=False, sort_keys=True), "reason": zh}
