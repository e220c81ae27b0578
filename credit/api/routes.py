"""JSON routes of ``credit serve`` for the public and the consumers (one router per role); the
bureau's and the licensing departments' are credit.api.bureau_routes, what they share
credit.api.answers."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from contextlib import ExitStack
from datetime import date
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Body, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from credit import clock
from credit.api import views
from credit.api.answers import (
    AsOf,
    Conn,
    IdempotencyKey,
    KnownAtNight,
    St,
    api_once,
    json_answer,
    known_record,
    once_refusals,
    within_history,
)
from credit.api.applications import readable_application, receipt_application, submit_application
from credit.api.auth import Principal
from credit.api.deps import (
    ServiceState,
    caller,
    checked_uscc,
    default_as_of,
    require,
)
from credit.api.models import (
    ApplicationDoc,
    Certificate,
    DecisionFeed,
    DrawPlanFile,
    DrawPublicRecordFile,
    EntityStatusDoc,
    Health,
    InspectionResults,
    InspectionTasks,
    PublishedDraws,
    RepairApplication,
    RosterRow,
    ScreeningRequest,
    SearchResults,
    SigningKey,
    SubmittedApplication,
    Verification,
)
from credit.api.validation import (
    name_search_problem,
    normalise_uscc,
    repeated_key_problem,
    search_text,
    uscc_problem,
)
from credit.draws import DrawRefused
from credit.draws.public import PublishedFile, RecordAltered, plan_file, published_draws, record_file
from credit.draws.read import (
    published_results,
    tasks_with_published_results,
)
from credit.keyring import held_signer, keyring_path, published_key, read_keyring
from credit.rosters import certificates
from credit.rosters.anchors import anchor_path, anchored_lines, keyring_cut_since, read_anchors
from credit.rosters.export import FORMATS, export_frame, export_note, render
from credit.rosters.known import (
    NoNightPublished,
)
from credit.rosters.read import decision_feed, entity_head, search_registration
from credit.signing import SigningKeyError, signer_for

public = APIRouter(tags=["public"], dependencies=[Depends(caller)])
consumer = APIRouter(tags=["consumer"], dependencies=[Depends(require("consumer"))])
#: Where a certificate is sent back whole to be re-checked (its own body limit: credit.api.security).
CERTIFICATE_VERIFY = "/v1/certificates/verify"
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "parquet": "application/vnd.apache.parquet",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


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
        known = known_record(conn, known_at)
        # No date asked: the last night the answer's data speak for — night K with known_at, as
        # `credit status --known-at K` answers, not a later night that record does not cover.
        d = as_of or (known.night if known else default_as_of(conn, st, version))
        if as_of is not None:
            within_history(conn, as_of, date.fromisoformat(version["night"]) if version["night"] else None)
        latest = certificates.latest_data_date(conn, version) or d
        if known is not None:
            latest = min(latest, known.night)
        doc = views.entity_status(conn, st.settings, st.config, code, d, role=role, latest=latest,
                                  today=st.today(), known=known, head=head)
    # Unknown to the store: 404. Known, but established after the day asked: answered, registered false.
    if doc["registration"] is None and not doc["rosters"]:
        raise HTTPException(404, f"{code}：未找到该主体 (no entity with this USCC in the store)")
    return json_answer(doc)


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
    return json_answer({"name": name, "results": rows, "truncated": len(rows) >= limit})


@public.get("/v1/rosters/{roster}", response_model=list[RosterRow], responses={200: {
    "description": "the roster in the chosen format (format=json: the rows below)",
    "content": {MEDIA[f]: {"schema": {"type": "string", "format": "binary"}} for f in ("csv", "parquet", "xlsx")}}})
def roster_export(request: Request, conn: Conn, st: St, roster: Literal["abnormal", "abnormal_status", "serious"],
                  as_of: AsOf = None, format: Literal["csv", "json", "parquet", "xlsx"] = "json",  # noqa: A002
                  known_at: KnownAtNight = None) -> Response:
    """The roster as of a date in the export columns of contracts.md §2 (CSV is UTF-8 with BOM);
    ``known_at``: as the record stood after that night."""
    assert format in FORMATS
    known = known_record(conn, known_at)
    # No date asked: night K with known_at (as `credit roster export --known-at K`), else the latest night.
    d = as_of or (known.night if known else default_as_of(conn, st))
    if as_of is not None:
        within_history(conn, as_of)
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
    return json_answer({"tasks": tasks_with_published_results(conn, st.settings, st.today())})


@public.get("/v1/inspection-results/{task_id}", response_model=InspectionResults)
def inspection_results(conn: Conn, st: St, task_id: Annotated[str, Path(max_length=64)]) -> JSONResponse:
    """Published results of one inspection task (抽查检查结果公示, domain.md §8)."""
    try:
        rows = published_results(conn, task_id, st.settings, st.today())
    except DrawRefused:
        raise HTTPException(404, f"没有抽查任务 {task_id} (no such task)") from None
    if not rows:
        raise HTTPException(404, f"抽查任务 {task_id} 尚无公示结果 (no published results)")
    return json_answer({"task_id": task_id, "results": rows})


@public.get("/v1/draws", response_model=PublishedDraws)
def published_draw_list(conn: Conn) -> JSONResponse:
    """Inspection draws (双随机抽查) as made public (一公开, domain.md §8): each plan with the SHA-256
    of its plan file and, once drawn, of its public record (docs/draws.md, an outsider's check)."""
    return json_answer({"draws": published_draws(conn)})


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
    return json_answer(doc, 201)


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
    return json_answer(doc)


@public.get("/v1/receipts/{token}", response_model=ApplicationDoc)
def application_by_receipt(request: Request, conn: Conn, st: St,
                           token: Annotated[str, Path(min_length=1, max_length=100)]) -> JSONResponse:
    """The application a receipt token was issued for (404 for an unknown token)."""
    found = receipt_application(conn, token)
    doc = readable_application(conn, st, found, request.state.principal, token) if found else None
    if doc is None:
        raise HTTPException(404, "回执码无效 (unknown receipt token)")
    return json_answer(doc)


@public.get("/v1/keys/signing", response_model=SigningKey)
def signing_key(st: St) -> JSONResponse:
    """The bureau's public signing key (Ed25519, PEM): it verifies screening certificates, export
    sidecars and the published chain anchors offline (``credit verify-signature``; README). Between
    ``credit keys rotate --new-key-file`` and the switch of the setting, the key handed over to,
    which will sign, with ``signs_now`` false and the key it replaces (``credit.keyring.published_key``)."""
    try:
        ring = read_keyring(keyring_path(st.settings), signer_for(st.settings).public_key)   # held against ours
        key = published_key(st.settings)
    except SigningKeyError as e:   # the keyring cannot be read: refused as a certificate is
        raise HTTPException(503, str(e)) from None
    if ring.problems:   # its lines up to a broken one are not the keyring (a revocation after it would be lost)
        raise HTTPException(503, f"密钥清单未通过校验，不予公布 (the keyring does not verify, not published): "
                                 f"{ring.problems[0]}")
    try:
        found = read_anchors(anchor_path(st.settings), None)
    except OSError:         # an anchor file that cannot be read records nothing known
        found = None
    # lines an anchor recorded and gone since (a revocation deleted, the file removed): not served as
    # the bureau's keyring, as one that does not verify is not
    if found is not None and (cut := keyring_cut_since(found, ring)) is not None:
        raise HTTPException(503, f"密钥清单与已公布的锚点不符，不予公布 (the keyring is not the one the anchors "
                                 f"recorded, not published): {cut}")
    basis = None
    if ring.path is not None:   # what it was held against, and how much of it the anchors record
        anchored = anchored_lines(found, ring) if found is not None else 0
        basis = {"key_id": ring.root, **ring.cut(), "anchored_lines": anchored}
    return json_answer({"algorithm": "Ed25519", "key_id": key.key_id, "public_key_pem": key.public_pem,
                        "signs_now": key.signs_now, "handed_over_from": key.handed_over_from,
                        "keyring": ring.lines, "verified_against": basis})


class OffLoopJSONRequest(Request):
    """A request whose JSON body is parsed on a worker thread. FastAPI reads a route's JSON body
    with ``await request.json()`` before anything of the route runs, and Starlette parses it there,
    on the event loop: a certificate of 32 MB (``security.max_certificate_bytes``) took about a
    second, every other request of the process waiting. Parsed by the same ``json.loads``, once
    (kept as Starlette keeps it), so FastAPI validates the route's body and refuses a body that is
    not JSON exactly as before."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = await run_in_threadpool(json.loads, await self.body())
        return self._json


class OffLoopJSONRoute(APIRoute):
    """A route whose handler gets :class:`OffLoopJSONRequest` (FastAPI's way of a custom request:
    its "Custom Request and APIRoute class")."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def parsed_off_loop(request: Request) -> Response:
            return await handler(OffLoopJSONRequest(request.scope, request.receive))

        return parsed_off_loop


async def _keys_once(request: Request) -> None:
    """Refuse a body naming a key twice (422): the body the route's ``certificate`` was parsed from
    (read once by FastAPI, kept on the request), checked before the route runs. Parsed on a worker
    thread: a body may be 32 MB (``security.max_certificate_bytes``), about a second's parse that
    would stall every other request of the process on the event loop."""
    problem = await run_in_threadpool(repeated_key_problem, await request.body())
    if problem is not None:
        raise HTTPException(422, problem)


def verify(conn: Conn, certificate: Annotated[dict[str, Any], Body(description="a screening certificate as issued")]
           ) -> JSONResponse:
    """Re-check a screening certificate against the decision log: valid / superseded / invalid."""
    try:
        result = certificates.verify_certificate(conn, certificate)
    except certificates.MalformedCertificate as e:
        raise HTTPException(422, str(e)) from None
    return json_answer(result.as_dict())


# Its body (up to 32 MB) parsed off the event loop, its validation FastAPI's as for any route.
public.add_api_route(CERTIFICATE_VERIFY, verify, methods=["POST"], response_model=Verification,
                     dependencies=[Depends(_keys_once)], route_class_override=OffLoopJSONRoute)


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
    held = ExitStack()
    try:   # a key handed over, or changed without a hand-over, signs nothing (credit.keyring); held
        signer = held.enter_context(held_signer(st.settings))   # until signed: no rotation meanwhile
    except SigningKeyError as e:
        raise HTTPException(503, str(e)) from None
    with held, st.begin() as conn:
        latest = certificates.latest_data_date(conn)
        if body.known_at is not None and latest is not None and body.known_at > latest:
            raise HTTPException(422, f"known_at {body.known_at} 晚于最新数据日期 {latest} "
                                     f"(known_at is after the latest published night, {latest})")
        try:
            doc = certificates.issue(conn, usccs, body.as_of, issuer=str(st.config.get("issuer", "")),
                                     issued_at=clock.now(st.settings), config_version=st.config.version,
                                     key_id=who.key_id, known_night=body.known_at, signer=signer)
        except NoNightPublished as e:
            raise HTTPException(422, f"known_at: {e}") from None
        except certificates.NotCertifiable as e:   # before the first night, after the data (domain.md §10)
            raise HTTPException(422, str(e)) from None
    return json_answer(doc)


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
    return json_answer({"after": after, "next_after": items[-1]["seq"] if items else after, "decisions": items,
                  "more": more, "data_version": head})
