"""Submitting an application for removal (信用修复) through the API or the applicants' page.

One path for every channel (the JSON route, the bureau's counter route, the page form): the
documents are checked, the application is recorded by the rosters' own rule
(:func:`credit.rosters.repair.apply_for_removal`, domain.md §4, §5) with how it arrived, and the
answer is the application's status with its decide-by date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import HTTPException

from credit.api.auth import Principal
from credit.api.deps import ServiceState, checked_uscc
from credit.api.models import RepairApplication
from credit.api.views import application_status
from credit.penalties.repair import apply_for_penalty_repair
from credit.rosters import repair
from credit.rosters.requests import record_submission


def refused(e: Exception) -> HTTPException:
    """A refusal by the rosters' rules as HTTP 409 with its reason."""
    return HTTPException(409, str(e))


def submit_application(st: ServiceState, body: RepairApplication, received: date, channel: str, who: Principal,
                       recorded_by: str) -> dict[str, Any]:
    """Record an application received on ``received``; its status plus the basis and the entries it concerns.

    HTTP 422 for an invalid USCC or an over-long document reference, 409 when the rules refuse it."""
    code = checked_uscc(body.uscc, "body")
    rcfg = st.config.get("repair") or {}
    docs = [d.strip() for d in body.documents if d.strip()]
    too_long = [d for d in docs if len(d) > int(rcfg.get("max_document_length", 200))]
    if too_long:
        raise HTTPException(422, [{"loc": ["body", "documents"], "type": "value_error",
                                   "msg": f"文件编号过长 (a document reference is longer than "
                                          f"{rcfg.get('max_document_length', 200)} characters)"}])
    with st.begin() as conn:
        try:
            out: Mapping[str, Any]
            if body.roster == "penalty" and body.case_no is not None:
                out = apply_for_penalty_repair(conn, code, body.case_no, received, body.grounds.strip(),
                                               recorded_by=recorded_by, settings=st.settings)
            else:
                out = repair.apply_for_removal(conn, code, body.roster, received, body.grounds.strip(),
                                               recorded_by=recorded_by, settings=st.settings)
        except repair.Refused as e:
            raise refused(e) from None
        record_submission(conn, out["id"], channel, docs, who.key_id, st.config.version)
        status = application_status(conn, out["id"], st.settings)
    assert status is not None   # recorded just above, in the same transaction
    return {**status, "basis": out.get("basis"), "entries": out.get("entries")}
