"""What arrives at the counter, and what officers decide by hand (信用修复, 异议, 审批).

A clerk records an application for removal (移出申请 / 信用修复, domain.md §3.3, §4, §5) or an
objection (异议, §3.4) with the date it reached the bureau; an officer approves or rejects the
night's drafts (拟列入/拟移出) and decides objections. These functions are what the command line
calls now and the HTTP API will call later; each runs inside the caller's transaction and
raises :class:`Refused` (exit 2 on the command line) with a reason a clerk can read.

The nights decide pending applications (:func:`credit.rosters.decide.decide_night`); nothing here
edits a decision — every answer is a new row of the log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypedDict

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.calendar import UnknownCalendarYear, add_years
from credit.rosters.early_removal import (
    EarlyRemoval,
    early_removal,
    early_removal_refusal,
    early_removal_refusal_en,
)
from credit.rosters.env import RosterEnv, removal_rule
from credit.rosters.known import before_data_problem, first_night
from credit.rosters.labels import decision_label
from credit.rosters.log import LOCK_KEY, finalise, insert_decisions
from credit.rosters.read import (
    AppliedEntry,
    application_due,
    applied_entries_due,
    cure_established_on,
    entry_label,
)
from credit.rosters.rules import Period
from credit.settings import Settings


class Refused(Exception):
    """The request cannot be recorded or decided as asked; the message says why."""


COUNTER = "counter"
"""The applicant of what a clerk records (the counter, ``credit repair apply``): the entity itself,
identified in person; one pending counter application per entry."""


def proven_applicant(applicant: str) -> bool:
    """Whether ``applicant`` is an identity only the applicant holds — the counter (identified in
    person) or an API key — so that the one-pending-application rule may refuse a second
    application by it, naming the first.

    A contact (``contact:<sha256>``: an enterprise's phone or e-mail, printed on its letterhead) is
    not: anyone who knows it could learn that an application is pending (its id and date, in the
    refusal) and, by applying first, have the real applicant refused (an outside review, P3). Issue
    14 promised that a stranger's application blocks nobody; an application under a contact is
    therefore always recorded, and the night answers each (the first granted removal ends the
    entry, the others are moot). A receipt (``receipt:<sha256>``) is new with every application."""
    return applicant == COUNTER or applicant.startswith("key:")


def record_applicant(conn: Connection, request_id: int, applicant: str, receipt_hash: str | None = None) -> None:
    """Who applied (``counter``, ``key:<id>``, ``contact:<sha256>``, ``receipt:<sha256>``) and the
    hash of the receipt token shown to an online applicant (the API's, credit.api.applications)."""
    if not applicant:
        raise Refused("an application needs its applicant")
    conn.execute(sqlfiles.statement("rosters/insert_applicant"), {"i": request_id, "a": applicant, "h": receipt_hash})


class RemovalApplication(TypedDict):
    """An application for removal as recorded (:func:`apply_for_removal`)."""

    id: int
    uscc: str
    roster: str
    received_on: str
    decide_by: str | None
    decide_by_provisional: str | None
    rule: str                 # the rule version the limit was counted by
    basis: str
    note: str | None
    entries: list[str]        # 文号 of the listings applied against


class ObjectionFiled(TypedDict):
    """An objection as recorded (:func:`file_objection`), with its periods as text."""

    id: int
    uscc: str
    decision: str | None      # 文号 of the decision objected to
    received_on: str
    in_time: bool | None      # None while the calendar cannot say
    filing_period_ends: str
    accept_by: str
    verify_by_if_accepted_on_last_day: str | None


class OfficerDecision(TypedDict):
    """A decision an officer's answer appended to the log."""

    seq: int
    decision_no: str | None
    action: str
    rule_id: str | None
    label: str                # the decision made, in Chinese (credit.rosters.labels.decision_label)


class ImportedDecision(TypedDict):
    """A legacy decision loaded into the log (:func:`import_decision`)."""

    seq: int
    decision_no: str


@dataclass(frozen=True)
class Due:
    """A deadline: the day, or a weekday-only provisional estimate when the calendar year is unknown."""

    day: date | None
    provisional: date | None

    @classmethod
    def of(cls, period: Period, start: date, env: RosterEnv) -> Due:
        try:
            return cls(period.end(start, env.cal), None)
        except UnknownCalendarYear:
            return cls(None, period.weekday_estimate(start))

    def text(self) -> str:
        if self.day:
            return self.day.isoformat()
        return f"{self.provisional.isoformat()} (provisional: holiday schedule not published)" if self.provisional else "?"


def _open_entries(conn: Connection, uscc: str, roster: str, on: date) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sa.text(
        "select * from roster_entry_detail_as_of(:d) where uscc = :u and roster = :r and state = 'listed' "
        "order by entry_id"), {"d": on, "u": uscc, "r": roster}).mappings()]


def apply_for_removal(conn: Connection, uscc: str, roster: str, received: date, grounds: str | None = None,
                      *, recorded_by: str = "clerk", settings: Settings | None = None,
                      applicant: str = COUNTER, receipt_hash: str | None = None) -> RemovalApplication:
    """Record an application for removal received on ``received``; returns its id and decide-by date.

    The decide-by date counts from receipt: 5 WD for the abnormal roster causes 1 and 2 (68号令
    arts. 11–12), 7 WD for the serious list under order 107 from 2025-12-25, 15 WD before
    (domain.md §4, §13 ex. 9). Causes 3 and 4 count 5 WD from 查实 of the cure (arts. 13–14,
    69号令 art. 18): without an established cure there is no date yet, and the night never
    refuses such an application by the clock.

    A second application *of the same applicant* (``applicant``: :data:`COUNTER` for the counter
    and the command line, else the online applicant's identity, see :func:`record_applicant`)
    arriving while its earlier one on the same entry is still undecided is refused, naming the
    first (the bureau answers each application once) — when that identity is one only the
    applicant holds (:func:`proven_applicant`: the counter, an API key; not a contact anyone may
    know). Another applicant's pending application does
    not block: an anonymous application on someone else's entry must not shut the entity out
    (issue 14); the night answers each, the first granted removal ends the entry and the others are
    then answered as moot (:func:`credit.rosters.decide.decide_night`).
    """
    env = RosterEnv.load(settings)
    uscc = uscc.strip().upper()
    if roster not in ("abnormal", "abnormal_status", "serious"):
        raise Refused(f"名录 {roster!r} 无效：应为 abnormal、abnormal_status 或 serious "
                      f"(unknown roster {roster!r}: abnormal / abnormal_status / serious)")
    conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    entries = _open_entries(conn, uscc, roster, received)
    if not entries:
        # Before the system's first night the rosters are unknown to it, not empty (domain.md §10):
        # "not on the roster on that day" would be a claim the record cannot make. Refused naming
        # the first night, as `credit status --as-of` and the API's as_of refuse such a day.
        if (unknown := before_data_problem(received, first_night(conn), "收到日期")) is not None:
            raise Refused(unknown)
        raise Refused(f"{uscc} 在 {received.isoformat()} 不在{_label(roster)}中，无可申请移出的记录 "
                      f"(not on the {roster} roster on that date)")

    open_ids = [int(e["entry_id"]) for e in entries]
    first = conn.execute(sqlfiles.statement("rosters/pending_application"),
                         {"u": uscc, "r": roster, "ids": open_ids, "a": applicant,
                          "incs": [e["included_on"] for e in entries]}).mappings().first() \
        if proven_applicant(applicant) else None
    if first is not None:
        raise Refused(f"{uscc} 已有尚未决定的移出申请（申请编号 {first['id']}，{first['received_on'].isoformat()} 收到），"
                      f"不重复受理 (application {first['id']} received {first['received_on'].isoformat()} "
                      "is still pending for the same entry)")
    kind = conn.execute(sa.text("select entity_kind from registration where uscc = :u"), {"u": uscc}).scalar()
    # Each entry is decided by its own rule (credit.rosters.decide): the recorded date is the earliest
    # limit known and the rule it was counted by; entries whose limit waits for 查实 are named in the note.
    applied = [AppliedEntry(r, cure_established_on(conn, int(e["entry_id"]), received)
                            if env.limit_from(r) == "cure" else None, entry_label(e["cause"], e["decision_no"]))
               for e in entries for r in [env.for_kind(removal_rule(roster, e["cause_code"]), kind)]]
    dues = [_entry_due(env, a, received) for a in applied]
    known = [i for i, x in enumerate(dues) if x.day or x.provisional]
    lead = min(known, key=lambda i: dues[i].day or dues[i].provisional or date.max) if known else 0
    rule_id = applied[lead].rule_id
    version = env.rules.find(rule_id, received) or env.rules.versions(rule_id)[0]
    due = dues[lead]
    _, _, note = applied_entries_due(env, applied, received, rule_id, due.day, due.provisional)
    if roster == "serious":
        # What the night will answer, by the same rule and words (credit.rosters.early_removal.early_removal,
        # domain.md §4): one full year on the list, and no early removal while a restriction of the
        # penalty runs — the receipt checked the year alone and the night then refused for the
        # restriction (an outsider's acceptance pass).
        barred: list[tuple[str, str]] = []
        for e in entries:
            window = serious_early_removal(conn, e)
            reason = early_removal_refusal(window, received)
            if reason is not None and reason not in (b[0] for b in barred):
                barred.append((reason, early_removal_refusal_en(window)))
        if barred:
            note = "；".join(b[0] for b in barred) + " (" + "; ".join(b[1] for b in barred) + ")"
    row = conn.execute(sqlfiles.statement("rosters/insert_repair_request"), {"u": uscc, "r": roster, "d": received, "g": grounds, "by": recorded_by, "rid": rule_id,
                           "rv": version.version, "due": due.day, "prov": due.provisional, "note": note,
                           "cv": env.config_version}).scalar_one()
    record_applicant(conn, int(row), applicant, receipt_hash)
    return {"id": int(row), "uscc": uscc, "roster": roster, "received_on": received.isoformat(),
            "decide_by": due.day.isoformat() if due.day else None,
            "decide_by_provisional": due.provisional.isoformat() if due.provisional else None,
            "rule": version.version, "basis": version.basis, "note": note,
            "entries": [e["decision_no"] for e in entries]}


def serious_early_removal(conn: Connection, entry: dict[str, Any]) -> EarlyRemoval:
    """A serious-list entry's early-removal window (credit.rosters.early_removal.early_removal) from its
    row in roster_entry_detail_as_of: its restriction as the night reads it (rosters/restriction_ends)
    and its automatic removal, the day after its listing period."""
    ends = conn.execute(sqlfiles.statement("rosters/restriction_ends"),
                        {"e": int(entry["entry_id"]), "current": True}).scalar()
    until = entry.get("effective_until")
    return early_removal(entry["included_on"], ends, until + timedelta(days=1) if until else None)


def _entry_due(env: RosterEnv, entry: AppliedEntry, received: date) -> Due:
    """One covered entry's limit as known on receipt: 5 WD from 查实 of its cure for causes 3 and 4
    (none yet without it), else its rule's period from receipt."""
    if env.limit_from(entry.rule_id) == "cure":
        d, p, _ = application_due(env, entry.rule_id, received, None, None, entry.cure_on)
        return Due(d, p)
    version = env.rules.find(entry.rule_id, received) or env.rules.versions(entry.rule_id)[0]
    return Due.of(version.main_period(), received, env)


def _label(roster: str) -> str:
    return {"abnormal": "经营异常名录", "abnormal_status": "经营异常状态", "serious": "严重违法失信名单"}[roster]


def _decision(conn: Connection, ref: str) -> dict[str, Any]:
    """A decision by seq (digits) or by 文号."""
    if ref.isdigit():
        row = conn.execute(sa.text("select * from roster_decisions where seq = :s"), {"s": int(ref)}).mappings().first()
    else:
        row = conn.execute(sa.text("select * from roster_decisions where decision_no = :n"), {"n": ref}).mappings().first()
    if row is None:
        zh = f"第 {ref} 条决定" if ref.isdigit() else f"文号为 {ref} 的决定"
        raise Refused(f"决定日志中没有{zh} (no decision {ref!r} in the log)")
    return dict(row)


def file_objection(conn: Connection, ref: str, received: date, grounds: str | None = None, *,
                   recorded_by: str = "clerk", settings: Settings | None = None) -> ObjectionFiled:
    """Record a written objection (异议) to a listing, or a statement/hearing request on a notice.

    Listing: filed within 30 days of publication (68号令 art. 16; 69号令 art. 19); the bureau
    decides whether to accept within 5 WD, verifies within 20 WD, corrects within 5 WD of
    establishing an error (domain.md §3.4, §13 ex. 4). Notice (告知): the statement-and-defence
    period is 5 WD (行政处罚法 arts. 64, 85); while it is open the night does not list.
    A late objection is still recorded (the clerk saw it arrive), marked not in time.
    """
    env = RosterEnv.load(settings)
    target = _decision(conn, ref)
    if target["action"] not in ("include", "escalate", "notice"):
        raise Refused(f"decision {target['decision_no'] or target['seq']} is a {target['action']}: objections are "
                      "made against a listing or a notice")
    if received < target["decision_date"]:
        raise Refused("the objection cannot arrive before the decision it objects to")
    v = env.rules.find("objection", received) or env.rules.versions("objection")[0]
    if target["action"] == "notice":
        window = env.rules.at("ser.notice", target["decision_date"]).sub_period("defence_period")
    else:
        window = v.sub_period("filing_period")
    last = Due.of(window, target["decision_date"], env)
    in_time = None if last.day is None else received <= last.day
    if in_time is None and window.unit in ("wd", "days") and received <= target["decision_date"] + timedelta(days=window.n):
        # The window ends in a year without a published holiday schedule (domain.md §12), but never
        # before its n-th calendar day: rest days only move its end later. Received by then is in time.
        in_time = True
    due = Due.of(v.main_period(), received, env)
    row = conn.execute(sqlfiles.statement("rosters/insert_objection"), {"u": target["uscc"], "r": target["roster"], "e": target["entry_id"], "t": target["seq"],
                           "d": received, "g": grounds, "by": recorded_by, "rv": v.version, "due": due.day,
                           "prov": due.provisional,
                           "note": None if in_time is not False else f"逾期提出（期限至 {last.text()}）",
                           "it": in_time, "cv": env.config_version}).scalar_one()
    # Verified within 20 WD of the acceptance (domain.md §3.4); in a year without a published holiday
    # schedule, the estimate of both steps, said to be one (§12), as accept_by is.
    verify_period = v.sub_period("verify_period")
    if due.day:
        verify = Due.of(verify_period, due.day, env).text()
    else:
        start = due.provisional or v.main_period().weekday_estimate(received)
        verify = Due(None, verify_period.weekday_estimate(start)).text()
    return {"id": int(row), "uscc": target["uscc"], "decision": target["decision_no"], "received_on": received.isoformat(),
            "in_time": in_time, "filing_period_ends": last.text(), "accept_by": due.text(),
            "verify_by_if_accepted_on_last_day": verify}


def decide_objection(conn: Connection, request_id: int, outcome: str, on: date, officer: str,
                     note: str | None = None, *, settings: Settings | None = None) -> OfficerDecision:
    """An officer's answer to an objection: ``upheld`` revokes the listing (or the notice, so no
    listing follows), ``dismissed`` records the refusal; both are numbered decisions of the log."""
    env = RosterEnv.load(settings)
    if outcome not in ("upheld", "dismissed"):
        raise Refused("异议处理结论应为成立或不成立 (outcome is upheld or dismissed)")
    conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    q = conn.execute(sa.text("select * from roster_requests where id = :i and kind = 'objection'"),
                     {"i": request_id}).mappings().first()
    if q is None:
        raise Refused(f"没有编号为 {request_id} 的异议 (no objection {request_id})")
    if conn.execute(sa.text("select 1 from roster_decisions where request_id = :i"), {"i": request_id}).first():
        raise Refused(f"异议 {request_id} 已经作出答复，不再重复决定 (objection {request_id} is already answered)")
    if on < q["received_on"]:
        raise Refused("答复日期不能早于收到异议的日期 (the answer cannot predate the objection)")
    target = _decision(conn, str(q["target_seq"]))
    reg = conn.execute(sa.text("select region_code, entity_kind from registration where uscc = :u"),
                       {"u": target["uscc"]}).first()
    region, kind = (reg[0], reg[1]) if reg is not None else (None, None)
    if outcome == "upheld" and target["action"] in ("include", "escalate"):
        state = conn.execute(sa.text("select state from roster_entry_detail_as_of(:d) where entry_id = :e"),
                             {"d": on, "e": target["entry_id"]}).scalar()
        if state != "listed":
            raise Refused("该记录已不在名录中，无可撤销的列入 (the entry is no longer listed; nothing to revoke)")
    rule_id = "any.revoke.objection_upheld" if outcome == "upheld" else "any.refuse.objection"
    action = "revoke" if outcome == "upheld" else "refuse"
    cand = pd.DataFrame([{
        "uscc": target["uscc"], "roster": target["roster"], "action": action, "rule_id": rule_id,
        "cause_code": target["cause_code"], "entry_id": target["entry_id"] if target["action"] != "notice" else None,
        "refers_to": target["seq"], "request_id": request_id, "region_code": region or target["authority"],
        "entity_kind": kind,
        "fact_key": (f"close:{target['entry_id']}" if action == "revoke" and target["action"] != "notice"
                     else f"objection:{request_id}"),
        "facts": json.dumps({"objection": request_id, "received_on": q["received_on"].isoformat(), "note": note},
                            ensure_ascii=False, sort_keys=True),
        "trigger_date": on, "due_start": on if action == "revoke" else q["received_on"],
        # The reason is the rule's legal wording (rules.yaml any.revoke.objection_upheld, domain.md
        # §3.4): it is the entry's removal_reason in every export (contracts.md §2: ``cause`` and
        # ``removal_reason`` are the Chinese legal wording). The officer's note stays in ``facts``.
        "reason": None,
    }])
    if action == "refuse":
        # Accept within 5 WD of receipt, then verify within 20 WD (68号令 art. 16, domain.md §3.4):
        # the answer is due at the end of both. A year without a published holiday schedule gives a
        # provisional estimate of both steps (domain.md §12), never the rule's own 0-day period from
        # receipt, which would mark a timely answer late.
        v = env.rules.at("objection", q["received_on"])
        accept, verify = v.main_period(), v.sub_period("verify_period")
        try:
            cand["due_date"] = verify.end(accept.end(q["received_on"], env.cal), env.cal)
        except UnknownCalendarYear:
            cand["due_date"] = None
            cand["due_provisional"] = verify.weekday_estimate(accept.weekday_estimate(q["received_on"]))
    rows = finalise(cand, env, on, actor=officer, night=None)
    if rows.empty:
        raise Refused(f"no rule {rule_id} in force on {on.isoformat()}")
    if action == "refuse" and note:
        rows["reason"] = f"异议不成立：{note}"
    out = insert_decisions(conn, rows)
    return {"seq": int(out["seq"][0]), "decision_no": out["decision_no"][0], "action": action, "rule_id": rule_id,
            "label": decision_label(action, rule_id, target["roster"])}


def decide_draft(conn: Connection, seq: int, officer: str, on: date, approve: bool = True,
                 note: str | None = None, *, settings: Settings | None = None) -> OfficerDecision:
    """Approve or reject a draft (拟列入/拟移出) the night wrote while drafts were switched on.

    Approval issues the real decision dated ``on``, judged by the rule in force on that date;
    rejection records the officer's refusal of the draft. Both are appended; the draft stays.
    """
    env = RosterEnv.load(settings)
    conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    p = conn.execute(sa.text("select * from roster_decisions where seq = :s"), {"s": seq}).mappings().first()
    if p is None or p["action"] != "propose":
        raise Refused(f"决定 {seq} 不是待审批的草稿 (decision {seq} is not a draft)")
    done = conn.execute(sa.text(
        "select seq from roster_decisions where (action = 'reject' and refers_to = :s) "
        "or (action <> 'propose' and fact_key = :k)"), {"s": seq, "k": p["fact_key"]}).first()
    if done:
        raise Refused(f"草稿 {seq} 已经审批（决定 {done[0]}），不再重复决定 (draft {seq} was already decided (decision {done[0]}))")
    if on < p["decision_date"]:
        raise Refused("审批日期不能早于拟稿日期 (the approval cannot predate the draft)")
    region = conn.execute(sa.text("select region_code from registration where uscc = :u"), {"u": p["uscc"]}).scalar()
    facts = p["facts"] if isinstance(p["facts"], str) else json.dumps(p["facts"], ensure_ascii=False, sort_keys=True)
    cand = {k: p[k] for k in ("uscc", "roster", "rule_id", "cause_code", "entry_id", "refers_to", "request_id",
                              "trigger_date", "due_date", "due_provisional", "reason")}
    cand |= {"facts": facts, "region_code": region or p["authority"]}
    # A provisional date of the draft is derived again from its rule: the calendar may know the year now.
    cand["due_provisional"] = None
    if approve:
        cand |= {"action": p["proposed_action"], "fact_key": p["fact_key"]}
        if p["proposed_action"] in ("include", "escalate"):
            cand["entry_id"] = None
            if p["roster"] == "serious":
                v = env.rules.find(p["rule_id"], on)
                cand["effective_until"] = add_years(on, int(v.listing_years or 3)) if v else None
    else:
        cand |= {"action": "reject", "fact_key": f"reject:{seq}", "refers_to": seq,
                 "reason": note or "不予批准"}
    rows = finalise(pd.DataFrame([cand]), env, on, actor=officer, night=None)
    if rows.empty:
        raise Refused(f"规则 {p['rule_id']} 在 {on.isoformat()} 不施行（或已停用），该日不能批准此草稿 "
                      f"(rule {p['rule_id']} is not in force (or switched off) on {on.isoformat()}: "
                      "the draft cannot be approved on that date)")
    if not approve:
        rows["action"] = "reject"
    out = insert_decisions(conn, rows)
    action = str(rows["action"][0])
    return {"seq": int(out["seq"][0]), "decision_no": out["decision_no"][0], "action": action,
            "rule_id": p["rule_id"], "label": decision_label(action, p["rule_id"], p["roster"])}


def import_decision(conn: Connection, *, uscc: str, roster: str, rule_id: str, decided_on: date, decision_no: str,
                    region_code: str, facts: dict[str, Any] | None = None, actor: str = "legacy import",
                    settings: Settings | None = None) -> ImportedDecision:
    """Load a decision made by the legacy system (e.g. an 83号令-era listing), judged by the rule in
    force on its date — historical rules that the night may no longer apply still load and display."""
    env = RosterEnv.load(settings)
    v = env.rules.find(rule_id, decided_on)
    if v is None:
        raise Refused(f"no version of {rule_id} was in force on {decided_on.isoformat()}")
    years = v.listing_years
    row = pd.DataFrame([{
        "uscc": uscc, "roster": roster, "action": v.action, "rule_id": rule_id, "cause_code": v.cause_code,
        "cause": v.wording, "basis": v.basis, "rule_version": v.version,
        "facts": json.dumps(facts or {}, ensure_ascii=False, sort_keys=True),
        "fact_key": f"import:{decision_no}", "trigger_date": decided_on, "decision_date": decided_on,
        "effective_until": add_years(decided_on, int(years)) if years else None,
        "authority": region_code, "authority_name": env.authority(pd.Series([region_code]))[1][0],
        "decision_no": decision_no, "config_version": env.config_version, "actor": actor,
    }])
    out = insert_decisions(conn, row)
    return {"seq": int(out["seq"][0]), "decision_no": decision_no}
