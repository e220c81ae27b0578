"""JSON routes of ``credit serve``, one router per role (public / consumer / bureau)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Body, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from credit import clock
from credit.api import bureau_views, officers, views
from credit.api import once as once_
from credit.api.applications import readable_application, receipt_application, refused, submit_application
from credit.api.auth import Principal
from credit.api.deps import (
    ServiceState,
    caller,
    checked_uscc,
    connection,
    default_as_of,
    require,
    require_licensing,
    service_state,
)
from credit.api.models import (
    ApplicationDoc,
    Certificate,
    CounterRepairApplication,
    DeadlineWatch,
    DecisionFeed,
    DraftDecision,
    DrawDoc,
    DrawList,
    DrawPlanFile,
    DrawPublicRecordFile,
    EntityStatusDoc,
    Health,
    InspectionResults,
    InspectionTasks,
    NightDoc,
    NoticeFeed,
    Objection,
    ObjectionDecision,
    ObjectionFiledDoc,
    OfficerDecisionDoc,
    OfficerStepDoc,
    PublishedDraws,
    RepairApplication,
    RosterRow,
    ScreeningRequest,
    SearchResults,
    SeriousAssessment,
    SeriousConsent,
    SeriousProcedures,
    SigningKey,
    SubmittedApplication,
    TierDoc,
    Verification,
)
from credit.api.validation import (
    future_date_problem,
    name_search_problem,
    normalise_uscc,
    received_after_data_problem,
    search_text,
    uscc_problem,
)
from credit.config import load_config
from credit.draws import DrawRefused
from credit.draws.public import PublishedFile, RecordAltered, plan_file, published_draws, record_file
from credit.draws.read import (
    current_inspections,
    draw_listing,
    public_plan,
    published_results,
    tasks_with_published_results,
)
from credit.grading.read import grade_of
from credit.night.read import latest_run
from credit.notices.read import last_notice_id, notice_feed, unknown_department
from credit.notices.rules import rules_of
from credit.rosters import certificates, repair, serious, serious_officers
from credit.rosters.deadlines import deadline_watch
from credit.rosters.export import FORMATS, export_frame, export_note, render
from credit.rosters.known import (
    KnownAt,
    NoNightPublished,
    after_latest_problem,
    before_data_problem,
    first_night,
)
from credit.rosters.known import known_at as known_record_at
from credit.rosters.read import decision_feed, entity_head, search_registration
from credit.rosters.read import latest_night as latest_published_night
from credit.signing import signer_for

public = APIRouter(tags=["public"], dependencies=[Depends(caller)])
consumer = APIRouter(tags=["consumer"], dependencies=[Depends(require("consumer"))])
bureau = APIRouter(prefix="/v1/bureau", tags=["bureau"], dependencies=[Depends(require("bureau"))])
licensing = APIRouter(prefix="/v1/licensing", tags=["licensing"], dependencies=[Depends(require_licensing)])

Conn = Annotated[Connection, Depends(connection)]
St = Annotated[ServiceState, Depends(service_state)]   # on the event loop: no worker thread
AsOf = Annotated[date | None, Query(description="YYYY-MM-DD; default: the latest published night")]
KnownAtNight = Annotated[date | None, Query(description="YYYY-MM-DD: answer from the record as it stood after that "
                                                        "night (record time beside the legal date as_of)")]
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "parquet": "application/vnd.apache.parquet",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class RenderedJSON(JSONResponse):
    """A JSON response whose body :func:`_json` rendered already (bytes pass through as they are)."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)


def _json(doc: Any, status: int = 200) -> JSONResponse:
    """``doc`` as JSON, values JSON does not know as their ``str``: rendered once, to the bytes
    ``JSONResponse`` gives the document after a round trip through JSON (issue 11: it was dumped,
    loaded and dumped again on every answer)."""
    body = json.dumps(doc, ensure_ascii=False, default=str, allow_nan=False, separators=(",", ":"))
    return RenderedJSON(body.encode("utf-8"), status_code=status)


IdempotencyKey = Annotated[str | None, Header(
    alias=once_.HEADER, max_length=once_.MAX_KEY,
    description="optional: 16–200 printable ASCII characters (e.g. a UUID) naming this request; sent again "
                "with the same body by the same caller it records nothing and gets the first answer")]


def api_once(request: Request, key: str | None, body: BaseModel) -> once_.Once | None:
    """The call's ``Idempotency-Key`` (credit.api.once) for its caller — the API key, the officer's
    account, else ``public`` (then the key is the only secret) — with what it sent; None without one.
    HTTP 422 for a malformed key."""
    if key is None:
        return None
    key = key.strip()
    if not once_.valid_key(key):
        raise HTTPException(422, [{"loc": ["header", once_.HEADER], "type": "value_error",
                                   "msg": f"幂等键应为 {once_.MIN_KEY} 至 {once_.MAX_KEY} 个可打印 ASCII 字符，例如 UUID "
                                          f"(Idempotency-Key is {once_.MIN_KEY} to {once_.MAX_KEY} printable ASCII "
                                          "characters, e.g. a UUID)"}])
    who: Principal = request.state.principal
    caller = (f"key:{who.key_id}" if who.key_id is not None
              else f"officer:{who.officer_id}" if who.officer_id is not None else "public")
    return once_.of(caller, key, request.url.path, body.model_dump(mode="json"))


@contextmanager
def once_refusals() -> Iterator[None]:
    """An ``Idempotency-Key``'s refusals as HTTP errors: its first call still running (409, with
    ``Retry-After``), or the key reused with another body (422)."""
    try:
        yield
    except once_.StillRunning:
        raise HTTPException(409, f"{once_.STILL_RUNNING} (the first request with this Idempotency-Key is still "
                                 "being processed: send it again later for its answer)",
                            headers={"Retry-After": "2"}) from None
    except once_.OtherRequest:
        raise HTTPException(422, [{"loc": ["header", once_.HEADER], "type": "value_error",
                                   "msg": "该幂等键已用于内容不同的请求，未记录 (this Idempotency-Key was used for a "
                                          "request with another body: nothing was recorded)"}]) from None


def recorded(st: ServiceState, ticket: once_.Once | None, work: Callable[[Connection], Any],
             status: int = 201) -> JSONResponse:
    """Run a creating call's ``work`` in one transaction with its ``Idempotency-Key``'s claim and
    answer (credit.api.once): with a key already answered, the first answer and nothing recorded."""
    with once_refusals(), st.begin() as conn:
        if (first := once_.claim(conn, ticket)) is not None:
            return _json(first["body"], int(first["status"]))
        out = work(conn)
        once_.answer(conn, ticket, {"status": status, "body": out})
    return _json(out, status)


def not_in_future(st: ServiceState, day: date, field: str) -> None:
    """HTTP 422 when ``day`` (a date received or decided) is after the bureau's today (issue 14)."""
    problem = future_date_problem(day, st.today(), field)
    if problem:
        raise HTTPException(422, [{"loc": ["body", field], "type": "value_error.future_date",
                                   "input": day.isoformat(), "msg": problem}])


def known_record(conn: Connection, night: date | None) -> KnownAt | None:
    """The record after night ``night`` (None: the whole record); a night after the latest is refused (422).

    A day that is no published night answers from the latest night on or before it, named in
    ``known_at.night`` and ``data_through``; a day before the first night is refused (422), as
    ``credit status`` and ``credit roster export`` refuse it (exit 2): an empty roster would read
    as "nothing was listed" (credit.rosters.known.known_at)."""
    if night is None:
        return None
    latest = latest_published_night(conn)
    if (problem := after_latest_problem(night, latest, "known_at")) is not None:
        raise HTTPException(422, problem)
    try:
        return known_record_at(conn, night)
    except NoNightPublished as e:
        raise HTTPException(422, f"known_at: {e}") from None


def within_history(conn: Connection, day: date, latest: date | None = None) -> None:
    """HTTP 422 when ``as_of`` ``day`` is before the first published night (domain.md §10: an "as
    of" answer needs our own history, and the rosters before the first night are unknown to the
    system, not empty). Refused rather than marked like a day after the data (``beyond_data``): a
    marker can be overlooked, and an empty answer for such a day reads as a clean record. While no
    night is published at all, the answer's ``data_through`` null and ``beyond_data`` true say it.
    ``latest``: the latest published night when already read (a day on or after it needs no query)."""
    if latest is not None and day >= latest:
        return
    first = first_night(conn)
    if first is not None and (problem := before_data_problem(day, first, "as_of")):
        raise HTTPException(422, problem)


# ------------------------------------------------------------------------------------------ public
@public.get("/healthz", tags=["public"], response_model=Health)
def healthz(conn: Conn) -> dict[str, Any]:
    """Liveness with the data version (decision-log head and latest night)."""
    return {"ok": True, "data_version": certificates.data_version(conn)}


@public.get("/v1/entities/{uscc}", response_model=EntityStatusDoc)
async def entity(request: Request, st: St, uscc: Annotated[str, Path(max_length=64)],
                 as_of: AsOf = None, known_at: KnownAtNight = None) -> JSONResponse:
    """An entity's roster entries and published penalties on a date, with what each entry needs for
    repair and from when; ``known_at``: as the record stood after that night.

    Public callers do not see entries removed by credit repair or revoked (config/api.yaml
    ``public``), nor penalties outside their publicity window, repaired or withdrawn (domain.md
    §5.3, §6); tiers are never part of this answer."""
    code = checked_uscc(uscc)
    who: Principal = request.state.principal
    # One hop to a worker thread for the whole answer (connection, statements, rendering), not
    # one per dependency and one for the route (issue 11).
    return await run_in_threadpool(entity_answer, st, code, who.view_role, as_of, known_at)


def entity_answer(st: ServiceState, code: str, role: str, as_of: date | None, known_at: date | None) -> JSONResponse:
    """The body of :func:`entity`, on a connection in autocommit: each statement reads the latest
    committed data, as under the default READ COMMITTED, without a transaction's BEGIN and
    ROLLBACK round trips. Only for an answer that never writes (in autocommit a write would be
    committed at once; writes go through ``ServiceState.begin``)."""
    with st.engine.connect() as c:
        conn = c.execution_options(isolation_level="AUTOCOMMIT")
        # read once, with the registration: the default date, the latest data, the answer's version
        head = entity_head(conn, code)
        version = head.version
        d = as_of or default_as_of(conn, st, version)
        if as_of is not None:
            within_history(conn, as_of, date.fromisoformat(version["night"]) if version["night"] else None)
        known = known_record(conn, known_at)
        latest = certificates.latest_data_date(conn, version) or d
        if known is not None:
            latest = min(latest, known.night)
        doc = views.entity_status(conn, st.settings, st.config, code, d, role=role, latest=latest,
                                  today=st.today(), known=known, head=head)
    if not doc["registered"] and not doc["rosters"]:
        raise HTTPException(404, f"{code}：未找到该主体 (no entity with this USCC in the store)")
    return _json(doc)


@public.get("/v1/entities", response_model=SearchResults)
def search(conn: Conn, st: St, name: Annotated[str, Query(min_length=2, max_length=100,
                                                           description="part of the registered name")]) -> JSONResponse:
    """Entities whose registered name contains ``name`` (public registration fields only). The
    minimum of two characters is counted on the text searched, after NFKC and without whitespace
    (:func:`credit.api.validation.name_search_problem`): the Query's own ``min_length`` counts the
    raw text, spaces included."""
    problem = name_search_problem(name)
    if problem:
        raise HTTPException(422, [{"loc": ["query", "name"], "msg": problem, "type": "string_too_short"}])
    limit = int((st.config.get("search") or {}).get("max_results", 50))
    rows = search_registration(conn, search_text(name), limit)
    return _json({"name": name, "results": rows, "truncated": len(rows) >= limit})


@public.get("/v1/rosters/{roster}", response_model=list[RosterRow], responses={200: {
    "description": "the roster in the chosen format (format=json: the rows below)",
    "content": {MEDIA[f]: {"schema": {"type": "string", "format": "binary"}} for f in ("csv", "parquet", "xlsx")}}})
def roster_export(request: Request, conn: Conn, st: St, roster: Literal["abnormal", "abnormal_status", "serious"],
                  as_of: AsOf = None, format: Literal["csv", "json", "parquet", "xlsx"] = "json",  # noqa: A002
                  known_at: KnownAtNight = None) -> Response:
    """The roster as of a date in the export columns of contracts.md §2 (CSV is UTF-8 with BOM);
    ``known_at``: as the record stood after that night."""
    assert format in FORMATS
    d = as_of or default_as_of(conn, st)
    if as_of is not None:
        within_history(conn, as_of)
    known = known_record(conn, known_at)
    df = export_frame(conn, roster, d, known)
    who: Principal = request.state.principal
    if who.view_role == "public" and not df.empty:
        # Judged on the whole record whatever the decisions' dates, also when asked as known after K
        # (views.hidden_from_public): the record of K may predate the repair, and a revocation may
        # be dated after the latest night and the date asked (domain.md §3.4, §5.3).
        hidden = views.hidden_from_public(conn, None, st.config)
        keep = [(u, n) not in hidden for u, n in zip(df["uscc"], df["decision_no"], strict=True)]
        df = df[pd.Series(keep, index=df.index, dtype=bool)]
    note = export_note(conn, roster, d, known, st.settings, len(df)) if format == "xlsx" else None
    body = render(df.reset_index(drop=True), format, note)
    name = f"{roster}_{d.isoformat()}.{format}"
    # The body is the contract's columns alone; whether the date asked lies beyond the data goes
    # in headers, as data_through and beyond_data do in an entity's answer.
    through = views.data_through(certificates.data_version(conn), known)
    return Response(body, media_type=MEDIA[format], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Data-Through": through.isoformat() if through else "none",
        "X-Beyond-Data": "true" if through is None or d > through else "false"})


@public.get("/v1/inspection-results", response_model=InspectionTasks)
def inspection_tasks(conn: Conn, st: St) -> JSONResponse:
    """Inspection tasks (抽查任务) with published results."""
    return _json({"tasks": tasks_with_published_results(conn, st.settings, st.today())})


@public.get("/v1/inspection-results/{task_id}", response_model=InspectionResults)
def inspection_results(conn: Conn, st: St, task_id: Annotated[str, Path(max_length=64)]) -> JSONResponse:
    """Published results of one inspection task (抽查检查结果公示, domain.md §8)."""
    try:
        rows = published_results(conn, task_id, st.settings, st.today())
    except DrawRefused:
        raise HTTPException(404, f"没有抽查任务 {task_id} (no such task)") from None
    if not rows:
        raise HTTPException(404, f"抽查任务 {task_id} 尚无公示结果 (no published results)")
    return _json({"task_id": task_id, "results": rows})


@public.get("/v1/draws", response_model=PublishedDraws)
def published_draw_list(conn: Conn) -> JSONResponse:
    """Inspection draws (双随机抽查) as made public (一公开, domain.md §8): each plan with the SHA-256
    of its plan file and, once drawn, of its public record (docs/draws.md, an outsider's check)."""
    return _json({"draws": published_draws(conn)})


def _draw_file(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "description": "the file's bytes, canonical JSON (docs/draws.md)"}}


def _published(doc: PublishedFile) -> Response:
    return Response(doc.body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{doc.name}"', "X-Content-SHA256": doc.sha256})


@public.get("/v1/draws/{draw_id}/plan.json", response_class=Response, responses=_draw_file(DrawPlanFile))
def published_draw_plan(conn: Conn, draw_id: Annotated[str, Path(max_length=64)]) -> Response:
    """A draw's plan as announced before the draw (``DRAW_ID.plan.json``), byte for byte: its
    SHA-256 is the one announced with it."""
    try:
        return _published(plan_file(conn, draw_id))
    except DrawRefused as e:
        raise HTTPException(404, str(e)) from None


@public.get("/v1/draws/{draw_id}/public.json", response_class=Response, responses=_draw_file(DrawPublicRecordFile))
def published_draw_record(conn: Conn, draw_id: Annotated[str, Path(max_length=64)]) -> Response:
    """A draw's public record (``DRAW_ID.public.json``), byte for byte as drawn: check it with
    ``credit draw verify --record DRAW_ID.public.json --plan DRAW_ID.plan.json`` or by hand
    (docs/draws.md). 404 before the draw; 409 when the stored record no longer matches the
    SHA-256 stored when it was drawn."""
    try:
        return _published(record_file(conn, draw_id))
    except DrawRefused as e:
        raise HTTPException(404, str(e)) from None
    except RecordAltered as e:
        raise HTTPException(409, str(e)) from None


@public.post("/v1/repair-applications", status_code=201, response_model=SubmittedApplication)
def apply(request: Request, st: St, body: RepairApplication, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Submit an application for removal (信用修复); received today (the bureau's calendar day).

    The answer carries the date by which the bureau must decide (order 107: 7 WD for the serious
    list from 2025-12-25, 15 WD before; 5 WD for the abnormal roster — domain.md §3.3, §4, §5) and
    ``receipt_token``, shown only here: the application is read back with it (or with the same
    API key). One pending application per entry per API key: 409 for a second one of the same
    key; other applicants are not blocked, and an application with a ``contact`` (which strangers
    may know) is always recorded, never answered with another application's id or date.

    ``Idempotency-Key``: the same key sent again by the same caller with the same body records
    nothing and answers as the first call did (the same application and receipt token); with
    another body, 422."""
    who: Principal = request.state.principal
    ticket = api_once(request, idempotency_key, body)
    with once_refusals():
        doc = submit_application(st, body, st.today(), "api", who, recorded_by=f"online:{who.name or 'public'}",
                                 once=ticket)
    return _json(doc, 201)


ReceiptHeader = Annotated[str | None, Header(alias="X-Receipt-Token", max_length=100,
                                             description="the receipt token given when the application was submitted")]


@public.get("/v1/repair-applications/{application_id}", response_model=ApplicationDoc)
def application(request: Request, conn: Conn, st: St, application_id: Annotated[int, Path(ge=1, le=2**62)],
                receipt: ReceiptHeader = None,
                token: Annotated[str | None, Query(max_length=100, description="the receipt token (or send "
                                                                                "X-Receipt-Token)")] = None,
                ) -> JSONResponse:
    """Follow an application: pending, or the decisions on it (removal or refusal with reasons).

    Readable by its applicant — the receipt token (``X-Receipt-Token`` or ``?token=``) or the API
    key it was submitted with — and by the bureau; 404 for anyone else."""
    doc = readable_application(conn, st, application_id, request.state.principal, receipt or token)
    if doc is None:
        raise HTTPException(404, f"没有编号为 {application_id} 的修复申请，或回执码不符 "
                                 "(no such application, or not yours: give its receipt token)")
    return _json(doc)


@public.get("/v1/receipts/{token}", response_model=ApplicationDoc)
def application_by_receipt(request: Request, conn: Conn, st: St,
                           token: Annotated[str, Path(min_length=1, max_length=100)]) -> JSONResponse:
    """The application a receipt token was issued for (404 for an unknown token)."""
    found = receipt_application(conn, token)
    doc = readable_application(conn, st, found, request.state.principal, token) if found else None
    if doc is None:
        raise HTTPException(404, "回执码无效 (unknown receipt token)")
    return _json(doc)


@public.get("/v1/keys/signing", response_model=SigningKey)
def signing_key(st: St) -> JSONResponse:
    """The bureau's public signing key (Ed25519, PEM): it verifies screening certificates, export
    sidecars and the published chain anchors offline (``credit verify-signature``; README)."""
    signer = signer_for(st.settings)
    return _json({"algorithm": "Ed25519", "key_id": signer.key_id, "public_key_pem": signer.public_pem})


@public.post("/v1/certificates/verify", response_model=Verification)
def verify(conn: Conn, certificate: Annotated[dict[str, Any], Body(description="a screening certificate as issued")]
           ) -> JSONResponse:
    """Re-check a screening certificate against the decision log: valid / superseded / invalid."""
    try:
        result = certificates.verify_certificate(conn, certificate)
    except certificates.MalformedCertificate as e:
        raise HTTPException(422, str(e)) from None
    return _json(result.as_dict())


# ---------------------------------------------------------------------------------------- consumer
@consumer.post("/v1/screenings", response_model=Certificate)
def screenings(request: Request, st: St, body: ScreeningRequest) -> JSONResponse:
    """Bulk screening with a certificate: for each USCC, whether and why it was listed on ``as_of``."""
    limit = int((st.config.get("screening") or {}).get("max_usccs", 10_000))
    if len(body.usccs) > limit:
        raise HTTPException(422, f"最多 {limit} 个代码 (at most {limit} USCCs per call)")
    problems = [{"loc": ["body", "usccs", i], "msg": p, "type": "value_error.uscc", "input": u}
                for i, u in enumerate(body.usccs) if (p := uscc_problem(u))]
    if problems:
        raise HTTPException(422, problems)
    usccs = list(dict.fromkeys(normalise_uscc(u) for u in body.usccs))
    who: Principal = request.state.principal
    with st.begin() as conn:
        latest = certificates.latest_data_date(conn)
        if body.known_at is not None and latest is not None and body.known_at > latest:
            raise HTTPException(422, f"known_at {body.known_at} 晚于最新数据日期 {latest} "
                                     f"(known_at is after the latest published night, {latest})")
        try:
            doc = certificates.issue(conn, usccs, body.as_of, issuer=str(st.config.get("issuer", "")),
                                     issued_at=clock.now(st.settings), config_version=st.config.version,
                                     key_id=who.key_id, known_night=body.known_at, signer=signer_for(st.settings))
        except NoNightPublished as e:
            raise HTTPException(422, f"known_at: {e}") from None
        except certificates.NotCertifiable as e:   # before the first night, after the data (domain.md §10)
            raise HTTPException(422, str(e)) from None
    return _json(doc)


@consumer.get("/v1/decisions", response_model=DecisionFeed)
def change_feed(conn: Conn, st: St, after: Annotated[int, Query(ge=0, le=2**62, description="cursor: last seq seen")] = 0,
                limit: Annotated[int | None, Query(ge=1, le=100_000)] = None,
                procedures: Annotated[bool, Query(description="also the serious list's numbered procedure documents "
                                                              "(kind: procedure, no party)")] = False) -> JSONResponse:
    """Roster decisions after a cursor, in log order: keep a copy in sync without re-downloading.

    Drafts and unnumbered working papers are not in the feed. With ``procedures=true`` the serious
    list's numbered procedure documents (notice, refusal to list) are, as ``kind: procedure`` with
    their number only, so the 文号 series per authority and year reads gap-free (issue 4;
    credit.rosters.read.decision_feed); by default they are left out, as before, so that every entry
    names an entity and a roster state (a consumer's copy keyed by uscc keeps working).
    ``next_after`` is the cursor for the next call; an empty page means up to date."""
    feed = st.config.get("change_feed") or {}
    n = min(limit or int(feed.get("default_limit", 1000)), int(feed.get("max_limit", 5000)))
    head = certificates.data_version(conn)
    if after > head["decision_seq"]:
        # A cursor beyond the log's head was never handed out: a corrupted or foreign one. Answered
        # with an empty page it would silently skip every decision up to it once the log grows
        # there (docs/api.md, change feed): refused, naming the head to resume from.
        raise HTTPException(409, f"游标 after={after} 超出决定日志的末条（第{head['decision_seq']}条）：该游标不是本系统给出的，"
                                 f"请从已保存的 next_after 或 0 重新同步 (cursor after={after} is beyond the log's "
                                 f"head, seq {head['decision_seq']}: resume from a next_after this feed returned, or 0)")
    # One row beyond the page says whether the feed holds more: the log's head alone would say
    # "more" when only working papers (left out of the feed) follow the page.
    items = decision_feed(conn, after, n + 1, procedures)
    more, items = len(items) > n, items[:n]
    return _json({"after": after, "next_after": items[-1]["seq"] if items else after, "decisions": items,
                  "more": more, "data_version": head})


# ------------------------------------------------------------------------------------------ bureau
@bureau.get("/entities/{uscc}/tier", response_model=TierDoc)
def tier(conn: Conn, uscc: Annotated[str, Path(max_length=64)], as_of: AsOf = None,
         known_at: KnownAtNight = None) -> JSONResponse:
    """The credit-risk tier (信用风险分类 A–D) with its reasons — internal, bureau only (domain.md §7);
    ``known_at``: as graded by that night at the latest."""
    code = checked_uscc(uscc)
    known = known_record(conn, known_at)
    g = grade_of(conn, code, min(as_of or date.max, known.night) if known else (as_of or date.max))
    if g is None:
        raise HTTPException(404, f"{code}：该日没有分类结果（不在营，或尚未分类） (no tier on that date: not operating, or not graded yet)")
    return _json({"uscc": code, **g})


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
    return _json({"on": d.isoformat(), "within_wd": n, "items": items})


@bureau.get("/draws", response_model=DrawList)
def draws(conn: Conn) -> JSONResponse:
    """Inspection draws (双随机抽查), planned and run."""
    return _json({"draws": draw_listing(conn)})


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
    return _json({"draw_id": draw_id, "plan": plan, "inspections": items})


@bureau.get("/nights/latest", response_model=NightDoc)
def latest_night(conn: Conn) -> JSONResponse:
    """The latest published night's summary."""
    run = latest_run(conn)
    if run is None:
        raise HTTPException(404, "尚无已发布的批次 (no night published yet)")
    return _json(run)


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
    return _json({"after": after, "next_after": items[-1]["id"] if items else after, "notices": items,
                  "more": len(items) == n})


@bureau.post("/repair-applications", status_code=201, response_model=SubmittedApplication)
def counter_application(request: Request, st: St, body: CounterRepairApplication,
                        idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Record a paper application that reached the bureau on ``received_on``.

    ``received_on`` after the latest published night is refused (422): the rosters are known only
    up to that night, so an application cannot be checked against them (as ``credit repair apply``)."""
    who: Principal = request.state.principal
    not_in_future(st, body.received_on, "received_on")
    with st.connect() as conn:
        through = latest_published_night(conn)
    if (why := received_after_data_problem(body.received_on, through, "received_on")) is not None:
        raise HTTPException(422, [{"loc": ["body", "received_on"], "type": "value_error",
                                   "input": body.received_on.isoformat(), "msg": why}])
    ticket = api_once(request, idempotency_key, body)
    with once_refusals():
        doc = submit_application(st, body, body.received_on, "api", who, recorded_by=f"clerk:{who.name}",
                                 counter=True, once=ticket)
    return _json(doc, 201)


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
    return _json({"on": d.isoformat(), "known_at": known.as_dict() if known else None,
                  "procedures": serious.procedures(conn, d, code, open_only=open_only, settings=st.settings,
                                                   known=known)})


@bureau.post("/serious/{case}/assessment", status_code=201, response_model=list[OfficerStepDoc])
def serious_assessment(request: Request, st: St, case: CaseRef, body: SeriousAssessment,
                       idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The officer's art. 12 assessment (44号令, domain.md §4) of a proposal (拟列入); not_list also
    issues the numbered 不予列入."""
    who: Principal = request.state.principal
    not_in_future(st, body.on, "on")

    def work(conn: Connection) -> Any:
        if (why := officers.serious_refusal(who, "draft", bureau_views.serious_authority(conn, case))):
            raise HTTPException(403, why)
        try:
            return serious_officers.record_assessment(conn, case, officer=who.actor, on=body.on, intent=body.intent,
                                             frequency=body.frequency, harm=body.harm, outcome=body.outcome,
                                             note=body.note, settings=st.settings)
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

    def work(conn: Connection) -> Any:
        why = officers.serious_refusal(who, "approve", bureau_views.serious_authority(conn, case), higher_too=True)
        if why:
            raise HTTPException(403, why)
        try:
            return serious_officers.record_consent(conn, case, officer=who.actor, on=body.on,
                                          consenting_authority=body.authority, consented_on=body.consented_on,
                                          document_no=body.document_no, outcome=body.outcome, note=body.note,
                                          settings=st.settings)
        except serious_officers.Refused as e:
            raise refused(e) from None
    return recorded(st, api_once(request, idempotency_key, body), work)
