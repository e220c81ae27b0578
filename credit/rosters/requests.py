"""Requests to the bureau as read and recorded: applications for removal (信用修复) and how they
were submitted, the decisions on each, and the date by which each must be decided (domain.md §4, §5).

The application itself is recorded by :func:`credit.rosters.repair.apply_for_removal`; this module
adds the submission's channel and documents, and reads a request back with what was decided on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TypedDict

from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.rosters.env import RosterEnv, removal_rule, shown_reasons
from credit.rosters.read import (
    AppliedEntry,
    application_due,
    applied_entries_due,
    cure_established_on,
    entry_label,
    removal_cured_on,
    same_cause,
)
from credit.settings import Settings


class RequestRecord(TypedDict):
    """A row of ``roster_requests`` with its submission (channel and documents, when online)."""

    id: int
    kind: str
    uscc: str
    roster: str
    entry_id: int | None
    received_on: date
    grounds: str
    rule_id: str | None
    rule_version: str | None
    due_date: date | None
    due_provisional: date | None
    due_note: str | None
    documents: list[str] | None
    channel: str | None


class RequestDecision(TypedDict):
    """A decision of the log made on a request (a removal, a refusal, …)."""

    seq: int
    action: str
    rule_id: str | None
    roster: str
    entry_id: int | None
    decision_date: date
    decision_no: str | None
    reason: str | None
    cause: str | None
    basis: str | None
    authority_name: str | None


def request_of(conn: Connection, request_id: int) -> RequestRecord | None:
    """One request with its submission, or None when there is no such request."""
    q = conn.execute(sqlfiles.statement("rosters/application"), {"i": request_id}).mappings().first()
    if q is None:
        return None
    return {"id": q["id"], "kind": q["kind"], "uscc": q["uscc"], "roster": q["roster"], "entry_id": q["entry_id"],
            "received_on": q["received_on"], "grounds": q["grounds"], "rule_id": q["rule_id"],
            "rule_version": q["rule_version"], "due_date": q["due_date"], "due_provisional": q["due_provisional"],
            "due_note": q["due_note"], "documents": q["documents"], "channel": q["channel"]}


def decisions_on(conn: Connection, request_id: int) -> list[RequestDecision]:
    """The decisions made on a request, in log order (drafts and their rejection left out)."""
    rows = conn.execute(sqlfiles.statement("rosters/application_decisions"), {"i": request_id}).mappings().all()
    reasons = shown_reasons([d["reason"] for d in rows], [d["note_version"] for d in rows])
    return [{"seq": d["seq"], "action": d["action"], "rule_id": d["rule_id"], "roster": d["roster"],
             "entry_id": d["entry_id"], "decision_date": d["decision_date"],
             "decision_no": d["decision_no"], "reason": reason, "cause": d["cause"], "basis": d["basis"],
             "authority_name": d["authority_name"]} for d, reason in zip(rows, reasons, strict=True)]


def record_submission(conn: Connection, request_id: int, channel: str, documents: Sequence[str],
                      key_id: int | None, config_version: str) -> None:
    """How an application arrived: the channel (``api``, ``page``), its documents and the API key used."""
    conn.execute(sqlfiles.statement("rosters/insert_submission"),
                 {"i": request_id, "c": channel, "d": list(documents), "k": key_id, "cv": config_version})


def unanswered_entries(conn: Connection, q: RequestRecord) -> list[int]:
    """The entries an application for removal covers (listed on its roster on receipt) that are
    still listed by the latest data and have no answer on it: while one is left, the application
    is pending, whatever was decided on the others (a false disclosure waits for 查实 after the
    missing report beside it was refused)."""
    params = {"u": q["uscc"], "r": q["roster"], "e": q["entry_id"]}
    statement = sqlfiles.statement("rosters/applied_entries")
    on_receipt = {int(x["entry_id"]) for x in conn.execute(statement, {**params, "d": q["received_on"]}).mappings()}
    listed_now = {int(x["entry_id"]) for x in conn.execute(statement, {**params, "d": date.max}).mappings()}
    answered = {d["entry_id"] for d in decisions_on(conn, int(q["id"]))}
    return sorted((on_receipt & listed_now) - answered)


def application_decide_by(conn: Connection, q: RequestRecord,
                          settings: Settings | None) -> tuple[date | None, date | None, str | None]:
    """(decide_by, provisional, note) of an application as known now, derived the way the rosters
    derive it (:func:`credit.rosters.read.applied_entries_due`), never the date stored at receipt
    alone: the application covers every entry of its roster listed on receipt, each due by its own
    rule — causes 3 and 4 from 查实 of the cure (none yet: no date, the entry named in the note),
    otherwise from receipt (a provisional date recomputed once the calendar knows its year). The
    entries not yet answered on it count (all of them once every one is answered); the date is the
    earliest known."""
    env = RosterEnv.load(settings)
    rule_id = q["rule_id"]
    if not isinstance(rule_id, str) or rule_id not in env.rules.rules:
        return q["due_date"], q["due_provisional"], q["due_note"]
    entries = conn.execute(sqlfiles.statement("rosters/applied_entries"),
                           {"d": q["received_on"], "u": q["uscc"], "r": q["roster"], "e": q["entry_id"]}).mappings().all()
    answered = {d["entry_id"]: d["decision_date"] for d in decisions_on(conn, q["id"])}
    entries = [x for x in entries if x["entry_id"] not in answered] or entries
    applied: list[AppliedEntry] = []
    for x in entries:
        base = removal_rule(q["roster"], x["cause_code"])
        own = rule_id if same_cause(rule_id, base) else base
        # causes 1 and 2 count from the cure too when it came after receipt (removal_limit_start);
        # an answered entry by the cure known when it was answered (a report filed after a refusal
        # does not move the refused application's limit, domain.md §3.3)
        cured_by = answered.get(x["entry_id"], date.max)
        cure_on = (cure_established_on(conn, int(x["entry_id"]), cured_by) if env.limit_from(own) == "cure"
                   else None if q["roster"] == "serious" else removal_cured_on(conn, int(x["entry_id"]), cured_by))
        applied.append(AppliedEntry(own, cure_on, entry_label(x["cause"], x["decision_no"])))
    if not applied:   # nothing listed on receipt any more: the application's own rule, as recorded
        cure_based = env.limit_from(rule_id) == "cure"
        d, p, n = application_due(env, rule_id, q["received_on"], None if cure_based else q["due_date"],
                                  None if cure_based else q["due_provisional"], None)
        return d, p, n if cure_based else (q["due_note"] if (d is None or q["due_date"] is not None) else None)
    d, p, note = applied_entries_due(env, applied, q["received_on"], rule_id, q["due_date"], q["due_provisional"])
    if any(env.limit_from(a.rule_id) == "cure" for a in applied):
        return d, p, note
    # A stored note (the serious list's "too early") stays; a stored "provisional" note is stale once
    # the date is known.
    return d, p, q["due_note"] if (d is None or q["due_date"] is not None) else None
