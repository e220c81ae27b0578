"""JSON routes of ``credit serve`` for the bureau's officers (``/v1/bureau``: tiers, the deadline
watch, draws, nights, notices, repair and objections, drafts, the serious-list procedure) and for
the licensing departments (``/v1/licensing``: their 双告知 notices), one router per role."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Connection

from credit import clock
from credit.api import bureau_views, officers
from credit.api.answers import (
    AsOf,
    Conn,
    IdempotencyKey,
    KnownAtNight,
    St,
    api_once,
    json_answer,
    known_record,
    not_in_future,
    once_refusals,
    recorded,
)
from credit.api.applications import refused, submit_application
from credit.api.auth import Principal
from credit.api.deps import (
    ServiceState,
    checked_uscc,
    require,
    require_licensing,
)
from credit.api.models import (
    CounterRepairApplication,
    DeadlineWatch,
    DraftDecision,
    DrawDoc,
    DrawList,
    NightDoc,
    NoticeFeed,
    Objection,
    ObjectionDecision,
    ObjectionFiledDoc,
    OfficerDecisionDoc,
    OfficerStepDoc,
    SeriousAssessment,
    SeriousConsent,
    SeriousProcedures,
    SubmittedApplication,
    TierDoc,
)
from credit.api.validation import (
    received_without_data_problem,
)
from credit.config import load_config
from credit.draws import DrawRefused
from credit.draws.read import (
    current_inspections,
    draw_listing,
    public_plan,
)
from credit.grading.read import grade_of
from credit.night.read import latest_run
from credit.notices.read import last_notice_id, notice_feed, unknown_department
from credit.notices.rules import rules_of
from credit.rosters import repair, serious, serious_officers
from credit.rosters.deadlines import deadline_watch
from credit.rosters.read import latest_night as latest_published_night

bureau = APIRouter(prefix="/v1/bureau", tags=["bureau"], dependencies=[Depends(require("bureau"))])
licensing = APIRouter(prefix="/v1/licensing", tags=["licensing"], dependencies=[Depends(require_licensing)])


# ------------------------------------------------------------------------------------------ bureau
@bureau.get("/entities/{uscc}/tier", response_model=TierDoc)
def tier(conn: Conn, st: St, uscc: Annotated[str, Path(max_length=64)], as_of: AsOf = None,
         known_at: KnownAtNight = None) -> JSONResponse:
    """The credit-risk tier (信用风险分类 A–D) with its reasons — internal, bureau only (domain.md §7);
    ``known_at``: as graded by that night at the latest. ``data_through``: the last night the answer
    speaks for (the latest published night; with ``known_at``, that night); ``beyond_data``: ``as_of``
    lies after it, so the next night may change the tier (as ``credit grades show --as-of`` and
    ``GET /v1/entities/{uscc}`` say it)."""
    code = checked_uscc(uscc)
    known = known_record(conn, known_at)
    g = grade_of(conn, code, min(as_of or date.max, known.night) if known else (as_of or date.max), st.settings)
    if g is None:
        raise HTTPException(404, f"{code}：该日没有分类结果（不在营，或尚未分类） (no tier on that date: not operating, or not graded yet)")
    through = known.night if known else latest_published_night(conn)
    return json_answer({"uscc": code, **g, "data_through": through.isoformat() if through else None,
                        "beyond_data": as_of is not None and (through is None or as_of > through)})


@bureau.get("/deadlines", response_model=DeadlineWatch)
def deadlines(conn: Conn, st: St, on: AsOf = None,
              within_wd: Annotated[int | None, Query(ge=0, le=250)] = None) -> JSONResponse:
    """What the bureau still owes: due within N working days, and everything overdue."""
    d = on or st.today()
    n = within_wd if within_wd is not None else int((st.config.get("deadline_watch") or {}).get("within_wd", 10))
    df = deadline_watch(conn, d, n, st.settings)
    items = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
    for r in items:
        if isinstance(r.get("due_date"), str):
            r["due_date"] = r["due_date"][:10]
    return json_answer({"on": d.isoformat(), "within_wd": n, "items": items})


@bureau.get("/draws", response_model=DrawList)
def draws(conn: Conn) -> JSONResponse:
    """Inspection draws (双随机抽查), planned and run."""
    return json_answer({"draws": draw_listing(conn)})


@bureau.get("/draws/{draw_id}", response_model=DrawDoc)
def draw(conn: Conn, draw_id: Annotated[str, Path(max_length=64)]) -> JSONResponse:
    """One draw: its public plan and the current version of each inspection (with strata)."""
    plan = public_plan(conn, draw_id)
    if plan is None:
        raise HTTPException(404, f"没有抽查 {draw_id} (no such draw)")
    try:
        cur = current_inspections(conn, draw_id)
    except DrawRefused as e:
        raise HTTPException(404, str(e)) from None
    items = json.loads(cur.to_json(orient="records", date_format="iso", force_ascii=False)) if not cur.empty else []
    return json_answer({"draw_id": draw_id, "plan": plan, "inspections": items})


@bureau.get("/nights/latest", response_model=NightDoc)
def latest_night(conn: Conn, st: St) -> JSONResponse:
    """The latest published night's summary; ``finished_at`` on the bureau's clock (ISO 8601 with its
    offset, whole seconds), as every instant the API gives (issue 15: one bureau clock)."""
    run = latest_run(conn)
    if run is None:
        raise HTTPException(404, "尚无已发布的批次 (no night published yet)")
    finished = clock.local(run["finished_at"], st.settings).isoformat(timespec="seconds")
    return json_answer({**run, "finished_at": finished})


@bureau.get("/notices", response_model=NoticeFeed)
def notices(conn: Conn, st: St,
            after: Annotated[int, Query(ge=0, le=2**62, description="cursor: last notice id seen")] = 0,
            limit: Annotated[int | None, Query(ge=1, le=100_000)] = None,
            department: Annotated[str | None, Query(max_length=100, description="one licensing department")] = None,
            ) -> JSONResponse:
    """双告知 notices to licensing departments after a cursor, in production order (domain.md §11).

    ``next_after`` is the cursor for the next call; an empty page means up to date. A ``department``
    that config/notices.yaml does not name and no notice was ever produced for is refused (422, the
    configured names listed): an empty page would tell a misspelt department it is up to date."""
    if department is not None:
        refused = unknown_department(conn, rules_of(load_config("notices", st.settings)), department)
        if refused is not None:
            raise HTTPException(422, refused)
    return _notice_page(conn, st, after, limit, department)


@licensing.get("/notices", response_model=NoticeFeed)
def licensing_notices(request: Request, conn: Conn, st: St,
                      after: Annotated[int, Query(ge=0, le=2**62, description="cursor: last notice id seen")] = 0,
                      limit: Annotated[int | None, Query(ge=1, le=100_000)] = None) -> JSONResponse:
    """双告知 notices of the calling licensing department alone, after a cursor, in production order
    (domain.md §11): the department is the key's (``credit api keys create --role licensing
    --department …``), never a parameter. ``next_after`` is the cursor for the next call; an empty
    page means up to date. The key opens nothing of the bureau's: no tiers, no bank data, no other
    department's notices."""
    who: Principal = request.state.principal
    return _notice_page(conn, st, after, limit, who.department)


def _notice_page(conn: Connection, st: ServiceState, after: int, limit: int | None, department: str | None) -> JSONResponse:
    """One page of the notice feed after the cursor (config/api.yaml ``change_feed`` limits)."""
    feed = st.config.get("change_feed") or {}
    n = min(limit or int(feed.get("default_limit", 1000)), int(feed.get("max_limit", 5000)))
    last = last_notice_id(conn)
    if after > last:
        # The cursor is a notice id, its own sequence (not the decision log's): one beyond the last
        # notice was never handed out, and answered with an empty page it would silently skip every
        # notice up to it (as the change feed refuses its own, docs/api.md).
        raise HTTPException(409, f"游标 after={after} 超出最后一条告知的编号（{last}）：该游标不是本系统给出的，"
                                 f"请从已保存的 next_after 或 0 重新同步 (cursor after={after} is beyond the last "
                                 f"notice id, {last}: resume from a next_after this feed returned, or 0)")
    items = notice_feed(conn, after, n, department, clock.zone(st.settings))
    return json_answer({"after": after, "next_after": items[-1]["id"] if items else after, "notices": items,
                  "more": len(items) == n})


@bureau.post("/repair-applications", status_code=201, response_model=SubmittedApplication)
def counter_application(request: Request, st: St, body: CounterRepairApplication,
                        idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Record a paper application that reached the bureau on ``received_on``.

    ``received_on`` in the future on the bureau's clock, or before any night is published, is
    refused (422); a day after the latest published night is checked against the rosters as that
    night left them (the counter's applications of the morning after a night: as
    ``credit repair apply``)."""
    who: Principal = request.state.principal
    not_in_future(st, body.received_on, "received_on")
    with st.connect() as conn:
        through = latest_published_night(conn)
    if (why := received_without_data_problem(body.received_on, through, "received_on")) is not None:
        raise HTTPException(422, [{"loc": ["body", "received_on"], "type": "value_error",
                                   "input": body.received_on.isoformat(), "msg": why}])
    ticket = api_once(request, idempotency_key, body)
    with once_refusals():
        doc = submit_application(st, body, body.received_on, "api", who, recorded_by=f"clerk:{who.name}",
                                 counter=True, once=ticket)
    return json_answer(doc, 201)


@bureau.post("/objections", status_code=201, response_model=ObjectionFiledDoc)
def objection(request: Request, st: St, body: Objection, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Record a written objection (异议) to a listing or a notice (domain.md §3.4); ``received_on``
    in the future is refused (422)."""
    who: Principal = request.state.principal
    not_in_future(st, body.received_on, "received_on")

    def work(conn: Connection) -> Any:
        try:
            return repair.file_objection(conn, body.decision.strip(), body.received_on, body.grounds,
                                         recorded_by=f"clerk:{who.name}", settings=st.settings)
        except repair.Refused as e:
            raise refused(e) from None
    return recorded(st, api_once(request, idempotency_key, body), work)


@bureau.post("/objections/{objection_id}/decision", status_code=201, response_model=OfficerDecisionDoc)
def objection_decision(request: Request, st: St, objection_id: Annotated[int, Path(ge=1, le=2**62)],
                       body: ObjectionDecision, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """An officer's answer to an objection: upheld (the listing is revoked) or dismissed — a decision of the log."""
    who: Principal = request.state.principal
    not_in_future(st, body.on, "on")

    def work(conn: Connection) -> Any:
        try:
            if (why := officers.refusal(who, "decide", bureau_views.request_authority(conn, objection_id))):
                raise HTTPException(403, why)
            return repair.decide_objection(conn, objection_id, body.outcome, body.on, who.actor,
                                           body.note, settings=st.settings)
        except repair.Refused as e:
            raise refused(e) from None
    return recorded(st, api_once(request, idempotency_key, body), work)


@bureau.post("/drafts/{seq}/decision", status_code=201, response_model=OfficerDecisionDoc)
def draft_decision(request: Request, st: St, seq: Annotated[int, Path(ge=1, le=2**62)],
                   body: DraftDecision, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Approve or reject a draft the night wrote (拟列入/拟移出, e.g. a removal on a repair application)."""
    who: Principal = request.state.principal
    not_in_future(st, body.on, "on")

    def work(conn: Connection) -> Any:
        try:
            if (why := officers.refusal(who, "approve", bureau_views.draft_authority(conn, seq))):
                raise HTTPException(403, why)
            return repair.decide_draft(conn, seq, who.actor, body.on, body.approve, body.note,
                                       settings=st.settings)
        except repair.Refused as e:
            raise refused(e) from None
    return recorded(st, api_once(request, idempotency_key, body), work)


CaseRef = Annotated[str, Path(min_length=1, max_length=200, description="the penalty's case number, or a step's seq/文号")]


def _serious_key(conn: Connection, st: ServiceState, case: str, on: date, uscc: str | None) -> str:
    """The key of the procedure ``case`` (with ``uscc``) names, whose authority decides who may act
    (a corrected penalty's procedures are each entity's own, run by its own authority); refused as
    the step itself would be (a case number naming several entities' procedures, none)."""
    try:
        return serious_officers.case_key(conn, case, on, uscc, st.settings)
    except serious_officers.Refused as e:
        raise refused(e) from None


@bureau.get("/serious/procedures", response_model=SeriousProcedures)
def serious_procedures(conn: Conn, st: St, on: AsOf = None,
                       uscc: Annotated[str | None, Query(max_length=64)] = None,
                       open_only: Annotated[bool, Query(alias="open")] = True,
                       known_at: KnownAtNight = None) -> JSONResponse:
    """Serious-list procedures (domain.md §4) with their steps, the next step, who acts and by when;
    ``known_at``: the steps as recorded after that night."""
    d = on or st.today()
    code = checked_uscc(uscc) if uscc else None
    known = known_record(conn, known_at)
    return json_answer({"on": d.isoformat(), "known_at": known.as_dict() if known else None,
                  "procedures": serious.procedures(conn, d, code, open_only=open_only, settings=st.settings,
                                                   known=known)})


@bureau.post("/serious/{case}/assessment", status_code=201, response_model=list[OfficerStepDoc])
def serious_assessment(request: Request, st: St, case: CaseRef, body: SeriousAssessment,
                       idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The officer's art. 12 assessment (44号令, domain.md §4) of a proposal (拟列入); not_list also
    issues the numbered 不予列入."""
    who: Principal = request.state.principal
    not_in_future(st, body.on, "on")

    uscc = checked_uscc(body.uscc, "body") if body.uscc else None

    def work(conn: Connection) -> Any:
        key = _serious_key(conn, st, case, body.on, uscc)
        if (why := officers.serious_refusal(who, "draft", bureau_views.serious_authority(conn, key))):
            raise HTTPException(403, why)
        try:
            return serious_officers.record_assessment(conn, case, officer=who.actor, on=body.on, intent=body.intent,
                                             frequency=body.frequency, harm=body.harm, outcome=body.outcome,
                                             note=body.note, uscc=uscc, settings=st.settings)
        except serious_officers.Refused as e:
            raise refused(e) from None
    return recorded(st, api_once(request, idempotency_key, body), work)


@bureau.post("/serious/{case}/consent", status_code=201, response_model=list[OfficerStepDoc])
def serious_consent(request: Request, st: St, case: CaseRef, body: SeriousConsent,
                    idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The next-higher bureau's consent (或不同意) to a listing by a county- or city-level authority."""
    who: Principal = request.state.principal
    not_in_future(st, body.on, "on")
    not_in_future(st, body.consented_on, "consented_on")

    uscc = checked_uscc(body.uscc, "body") if body.uscc else None

    def work(conn: Connection) -> Any:
        key = _serious_key(conn, st, case, body.on, uscc)
        why = officers.serious_refusal(who, "approve", bureau_views.serious_authority(conn, key), higher_too=True)
        if why:
            raise HTTPException(403, why)
        try:
            return serious_officers.record_consent(conn, case, officer=who.actor, on=body.on,
                                          consenting_authority=body.authority, consented_on=body.consented_on,
                                          document_no=body.document_no, outcome=body.outcome, note=body.note,
                                          uscc=uscc, settings=st.settings)
        except serious_officers.Refused as e:
            raise refused(e) from None
    return recorded(st, api_once(request, idempotency_key, body), work)
