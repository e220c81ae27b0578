"""Submitting an application for removal (信用修复) through the API or the applicants' page, and
reading it back.

One path for every channel (the JSON route, the bureau's counter route, the page form): the
documents are checked, the application is recorded by the rosters' own rule
(:func:`credit.rosters.repair.apply_for_removal`, domain.md §4, §5) with how it arrived and who
applied, and the answer is the application's status with its decide-by date and a **receipt
token** (``rct_`` + 256 random bits, shown once, only its SHA-256 stored).

An application (grounds, documents) is readable only by its applicant — with the receipt token,
or with the API key it was submitted with — and by the bureau (issue 14); anyone else gets 404,
whether or not the number exists.

Who applied (:func:`applicant_of`) decides the "one pending application per entry" rule: per
applicant, not per entry, so that nobody can block an entity by applying on its entries; and
only for identities the applicant alone holds (the counter, an API key), since a contact is
known to strangers (:func:`credit.rosters.repair.proven_applicant`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import HTTPException
from sqlalchemy.engine import Connection

from credit.api import once as once_
from credit.api.auth import Principal
from credit.api.deps import ServiceState, checked_uscc
from credit.api.models import RepairApplication
from credit.api.sessions import digest
from credit.api.views import ApplicationStatus, application_as_published, application_status
from credit.penalties.repair import apply_for_penalty_repair
from credit.rosters import repair
from credit.rosters.requests import record_submission
from credit.sqlfiles import statement

RECEIPT_PREFIX = "rct_"


def new_receipt() -> str:
    """A receipt token: unguessable (256 bits), shown once to the applicant."""
    return RECEIPT_PREFIX + secrets.token_urlsafe(32)


def applicant_of(who: Principal, contact: str | None, receipt_hash: str, channel: str) -> str:
    """Who applied, as recorded with the application: the counter; else the API key used; else the
    contact given (hashed: the same phone or e-mail, however spaced or cased); else the receipt
    itself (an anonymous applicant is nobody else). The pending-application rule refuses only the
    counter's and a key's second application (:func:`credit.rosters.repair.proven_applicant`): a
    contact is recorded, never a reason to refuse or to name another application."""
    if channel == "counter":
        return repair.COUNTER
    if who.key_id is not None:
        return f"key:{who.key_id}"
    norm = "".join((contact or "").split()).lower()
    if norm:
        return "contact:" + digest(norm)
    return "receipt:" + receipt_hash


def receipt_application(conn: Connection, token: str) -> int | None:
    """The application a receipt token was issued for, None for an unknown token."""
    token = token.strip()
    if not token.startswith(RECEIPT_PREFIX) or len(token) > 100:
        return None
    row = conn.execute(statement("api/receipt_application"), {"h": digest(token)}).first()
    return int(row[0]) if row else None


def readable_application(conn: Connection, st: ServiceState, application_id: int, who: Principal,
                         token: str | None) -> ApplicationStatus | None:
    """The application for someone allowed to read it: the bureau, the holder of its receipt token,
    or the API key that submitted it; None otherwise (answered 404, as for no such application)."""
    doc = application_status(conn, application_id, st.settings)
    if doc is None or doc["kind"] != "repair":
        return None
    if who.allows("bureau"):
        return doc
    if token and receipt_application(conn, token) == application_id:
        return application_as_published(doc, st.settings)
    row = conn.execute(statement("api/application_applicant"), {"i": application_id}).first()
    if row is not None and who.key_id is not None and row[0] == f"key:{who.key_id}":
        return application_as_published(doc, st.settings)
    return None


def refused(e: Exception) -> HTTPException:
    """A refusal by the rosters' rules as HTTP 409 with its reason."""
    return HTTPException(409, str(e))


def submit_application(st: ServiceState, body: RepairApplication, received: date, channel: str, who: Principal,
                       recorded_by: str, *, counter: bool = False, once: once_.Once | None = None) -> dict[str, Any]:
    """Record an application received on ``received``; its status plus the basis, the entries it
    concerns and the receipt token (``receipt_token``, shown only in this answer).

    ``counter``: recorded by bureau staff for a paper application (the counter is its applicant).
    HTTP 422 for an invalid USCC or an over-long document reference, 409 when the rules refuse it
    (e.g. this applicant already has an application pending on the entry).

    ``once``: the post's submission id or idempotency key (credit.api.once); when its first post
    was recorded, the answer is that post's (the same application and receipt token) and nothing
    is recorded."""
    code = checked_uscc(body.uscc, "body")
    rcfg = st.config.get("repair") or {}
    docs = [d.strip() for d in body.documents if d.strip()]
    too_long = [d for d in docs if len(d) > int(rcfg.get("max_document_length", 200))]
    if too_long:
        raise HTTPException(422, [{"loc": ["body", "documents"], "type": "value_error",
                                   "msg": f"文件编号过长 (a document reference is longer than "
                                          f"{rcfg.get('max_document_length', 200)} characters)"}])
    receipt = new_receipt()
    receipt_hash = digest(receipt)
    applicant = applicant_of(who, body.contact, receipt_hash, "counter" if counter else channel)
    with st.begin() as conn:
        if (first := once_.claim(conn, once)) is not None:
            return first
        try:
            out: Mapping[str, Any]
            if body.roster == "penalty" and body.case_no is not None:
                out = apply_for_penalty_repair(conn, code, body.case_no, received, body.grounds.strip(),
                                               recorded_by=recorded_by, settings=st.settings,
                                               applicant=applicant, receipt_hash=receipt_hash)
            else:
                out = repair.apply_for_removal(conn, code, body.roster, received, body.grounds.strip(),
                                               recorded_by=recorded_by, settings=st.settings,
                                               applicant=applicant, receipt_hash=receipt_hash)
        except repair.Refused as e:
            raise refused(e) from None
        record_submission(conn, out["id"], channel, docs, who.key_id, st.config.version)
        status = application_status(conn, out["id"], st.settings)
        assert status is not None   # recorded just above, in the same transaction
        if not who.allows("bureau"):
            status = application_as_published(status, st.settings)
        doc = {**status, "basis": out.get("basis"), "entries": out.get("entries"), "receipt_token": receipt}
        once_.answer(conn, once, doc)
    return doc
