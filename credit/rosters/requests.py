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
from credit.rosters.env import RosterEnv, removal_rule
from credit.rosters.read import application_due, cure_established_on
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
    return [{"seq": d["seq"], "action": d["action"], "rule_id": d["rule_id"], "roster": d["roster"],
             "entry_id": d["entry_id"], "decision_date": d["decision_date"],
             "decision_no": d["decision_no"], "reason": d["reason"], "cause": d["cause"], "basis": d["basis"],
             "authority_name": d["authority_name"]} for d in rows]


def record_submission(conn: Connection, request_id: int, channel: str, documents: Sequence[str],
                      key_id: int | None, config_version: str) -> None:
    """How an application arrived: the channel (``api``, ``page``), its documents and the API key used."""
    conn.execute(sqlfiles.statement("rosters/insert_submission"),
                 {"i": request_id, "c": channel, "d": list(documents), "k": key_id, "cv": config_version})


def application_decide_by(conn: Connection, q: RequestRecord,
                          settings: Settings | None) -> tuple[date | None, date | None, str | None]:
    """(decide_by, provisional, note) of an application as known now, derived the way the rosters
    derive it (:func:`credit.rosters.read.application_due`), never the date stored at receipt: for
    causes 3 and 4 it runs from 查实 of the cure of the entry applied for (none yet: no date, and a
    note); otherwise a provisional date is recomputed once the calendar knows its year."""
    env = RosterEnv.load(settings)
    rule_id = q["rule_id"]
    if not isinstance(rule_id, str) or rule_id not in env.rules.rules:
        return q["due_date"], q["due_provisional"], q["due_note"]
    if env.limit_from(rule_id) != "cure":
        d, p, _ = application_due(env, rule_id, q["received_on"], q["due_date"], q["due_provisional"], None)
        # A stored "provisional" note is stale once the date is known.
        note = q["due_note"] if (d is None or q["due_date"] is not None) else None
        return d, p, note
    # The entry applied for: the one listed on receipt whose removal the application's rule governs
    # (the first such entry, as ``credit.rosters.repair.apply_for_removal`` chose it).
    entries = conn.execute(sqlfiles.statement("rosters/applied_entries"),
                           {"d": q["received_on"], "u": q["uscc"], "r": q["roster"], "e": q["entry_id"]}).mappings().all()
    entry = next((x for x in entries if removal_rule(q["roster"], x["cause_code"]) == rule_id), None)
    cure_on = cure_established_on(conn, int(entry["entry_id"]), date.max) if entry is not None else None
    return application_due(env, rule_id, q["received_on"], None, None, cure_on)
