"""The applicants' page and the bureau page: Chinese, server-rendered, plain HTML forms (no JavaScript).

- ``/``: enter a USCC; ``/entity?uscc=…``: the public status, what each entry needs for repair and
  from which date, the dates the bureau must keep, and the application form;
  ``/applications/{id}?token=…`` or the receipt form on ``/`` (``POST /receipts``): follow an
  application — its applicant (the receipt token shown once on submission) and the bureau only.
  The application forms carry a single-use submission id (``once``, credit.api.once): the same
  form posted twice (a double click, a reload that re-posts) records one application and answers
  the second post, in the same browser, with the first one's receipt page.
  A form's address opened without its form (``GET /receipts``, ``GET /entity/{uscc}/apply``: a
  reload or a bookmark) redirects to the form; other errors on these pages are Chinese pages
  (credit.api.errors).
- ``/bureau``: sign in with an officer's login and password (credit.api.officers) or a bureau key
  (a server-side session in an HttpOnly cookie, never the password or key: credit.api.sessions);
  the latest night as tables (credit.api.bureau_views), the
  deadline watch, the open serious-list procedures (严重违法失信名单列入程序, domain.md §4) with the
  forms an officer acts on (the art. 12 assessment, the higher bureau's consent), the latest
  night's 双告知 notices per licensing department and a link to the nightly report. Each section
  is short — the 20 most urgent items of the account's district (``?scope=all``: every district),
  the first 10 notices per department — with "共 N 项，查看全部" linking to its paged page
  (credit.api.workbench). The other
  pages of the workbench (nights, quarantine, drafts, requests, draws) are credit.api.workbench.

The serious-list forms post to ``/bureau/serious/{case}/assessment|consent``, which call the same
functions as ``credit serious assess|consent`` and ``/v1/bureau/serious/…``
(:func:`credit.rosters.serious_officers.record_assessment`, :func:`~credit.rosters.serious_officers.record_consent`)
on the bureau's calendar day; sent twice with one submission id (``once``), the second post shows
the first one's result (:func:`recorded_form`). The officer recorded is the signed-in account (``account:<login>``,
credit.api.officers; with a bureau key ``officer:<key name>``, as the API records it), never a name
typed into the form; an account's role is checked (the assessment: any role; consent: approver). Against
cross-site requests every form — the applicants' and the bureau's, sign-in and sign-out included —
carries the browser's form token (:func:`credit.api.sessions.form_token`, bound to the session;
checked on POST, HTTP 403 without it), besides the SameSite=Strict cookies and the Origin check
(credit.api.security).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from credit import clock
from credit.api import applications, bureau_views, officers, views
from credit.api import once as once_
from credit.api.applications import receipt_application, submit_application
from credit.api.auth import Principal, UnknownKey
from credit.api.deps import ServiceState, browser_token, caller, client_address, default_as_of, state
from credit.api.limits import retry_after
from credit.api.models import RepairApplication, SeriousAssessment, SeriousConsent
from credit.api.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    digest,
    end_session,
    form_token_ok,
    log_event,
    purge_expired,
    start_session,
)
from credit.api.validation import normalise_uscc, typed_day, uscc_problem
from credit.api.views import ApplicationStatus, DecisionOnApplication
from credit.api.wording import for_public, form_problems
from credit.clock import calendar_day
from credit.draws.public import published_draws
from credit.night.read import latest_run
from credit.notices.letters import Letter, letters_of
from credit.notices.read import notices_counts, notices_head, notices_of_entity
from credit.rosters import certificates, serious, serious_officers
from credit.rosters.deadlines import deadline_watch
from credit.rosters.known import before_data_problem, first_night

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def grouped(value: object) -> object:
    """A count as officers read large numbers, in groups of three digits (1,000,000); anything else as given."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value


TEMPLATES.env.filters["grouped"] = grouped   # not "count": Jinja's own name for length
STATIC = Path(__file__).parent / "static"
pages = APIRouter(include_in_schema=False)
St = Annotated[ServiceState, Depends(state)]
Who = Annotated[Principal, Depends(caller)]


def readable_application(conn: Connection, st: ServiceState, application_id: int, who: Principal,
                         token: str | None) -> ApplicationStatus | None:
    """An application as its page shows it: for anyone but the bureau, its note and the decisions'
    reasons without their English asides (the JSON API keeps them; a text with no Chinese in it,
    e.g. an officer's own words, stays as written)."""
    doc = applications.readable_application(conn, st, application_id, who, token)
    if doc is None or who.allows("bureau"):
        return doc
    out = cast(ApplicationStatus, {**doc})
    out["note"] = for_public(doc["note"], doc["note"]) if doc["note"] else doc["note"]
    out["decisions"] = [cast(DecisionOnApplication, {**d, "reason": for_public(d["reason"], d["reason"])
                                                     if d["reason"] else d["reason"]}) for d in doc["decisions"]]
    return out


def _page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """A page with this browser's form token; a browser without the form cookie gets it here."""
    token = browser_token(request)
    resp = TEMPLATES.TemplateResponse(request, name, {"labels": views.ROSTER_LABELS, "token": token,
                                                      "new_once": once_.new_id, **ctx}, status_code=status)
    _no_store(resp)
    new = getattr(request.state, "new_browser", None)
    if new:
        _cookie(request, resp, CSRF_COOKIE, new, None)
    return resp


def _no_store(resp: Response) -> None:
    resp.headers["Cache-Control"] = "no-store"


def _cookie(request: Request, resp: Response, name: str, value: str, max_age: int | None) -> None:
    """HttpOnly, SameSite=Strict, and Secure under HTTPS (or always, config session.secure_cookie)."""
    st = state(request)
    resp.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/",
                    secure=st.sessions.secure(request.url.scheme))


def _form_ok(request: Request, token: str) -> bool:
    """Whether a posted form carries this browser's token for its current session."""
    return form_token_ok(state(request).secret, request.cookies.get(CSRF_COOKIE),
                         getattr(request.state, "session", None), token)


def render_page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """A page with this browser's form token (for the workbench's routes, credit.api.workbench)."""
    return _page(request, name, status, **ctx)


def form_ok(request: Request, token: str) -> bool:
    """Whether a posted form carries this browser's token (for credit.api.workbench)."""
    return _form_ok(request, token)


STALE_FORM = "表单已失效，请刷新页面后重新提交"
OTHER_CONTENT = "此表单已提交过，本次内容与首次提交不同，未记录；请刷新页面后重新填写"


def form_once(request: Request, once: str, route: str, sent: dict[str, Any]) -> once_.Once | None:
    """A page form's submission id (credit.api.once) for this browser; None without a valid one
    (a form rendered before the ids existed posts as it always did)."""
    once = once.strip()
    browser = request.cookies.get(CSRF_COOKIE)
    if not browser or not once_.valid_key(once):
        return None
    return once_.of("browser:" + digest(browser), once, route, sent)


def still_running(follow: str) -> str:
    """The answer to a second post while the first still runs (the same id, kept in the form)."""
    return f"{once_.STILL_RUNNING}：首次提交仍在处理中，{follow}"


class Refused(Exception):
    """A bureau form refused inside the transaction that would record it (its rules, the account's
    authority): raised, not returned, so that the transaction rolls back with the form's claimed
    submission id (credit.api.once) and the same form sent again is checked again, as the API does."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


def recorded_form(st: ServiceState, ticket: once_.Once | None, work: Callable[[Connection], str]) -> Response:
    """A bureau form's ``work`` in one transaction with its submission id's claim and answer
    (credit.api.once, as ``credit.api.answers.recorded`` for the API): ``work`` records and returns
    the address the officer is sent to (303, the confirmation line); with the id already answered,
    the first post's address and nothing recorded — the decisions, objections' answers,
    serious-list steps and draws are refused the second time by their own rules, so a double click
    used to show the officer that refusal (409) instead of the first post's result."""
    with st.begin() as conn:
        if (first := once_.claim(conn, ticket)) is not None:
            return RedirectResponse(str(first["location"]), status_code=303)
        location = work(conn)
        once_.answer(conn, ticket, {"location": location})
    return RedirectResponse(location, status_code=303)


def answered_form(st: ServiceState, ticket: once_.Once | None, work: Callable[[Connection], str],
                  again: Callable[[int, str, bool], Response], hint: str) -> Response:
    """:func:`recorded_form`, its outcomes shown to the officer: ``again(status, error, keep_id)``
    renders the form's page with the error, the form given back (with its submission id only
    while the first post still runs, so that the next click shows that post's result); ``hint``
    tells the officer what to click then."""
    try:
        return recorded_form(st, ticket, work)
    except once_.StillRunning:
        return again(409, still_running(hint), True)
    except once_.OtherRequest:
        return again(422, f"未记录：{OTHER_CONTENT}", False)
    except Refused as e:
        return again(e.status, e.error, False)


@pages.get("/static/site.css", include_in_schema=False)
def stylesheet() -> Response:
    return FileResponse(STATIC / "site.css", media_type="text/css; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=3600"})


@pages.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """No icon, said without an error: every browser asks for ``/favicon.ico`` on its first page of
    a site, and a 404 there is an error in the visitor's console on every applicant page."""
    return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})


@pages.get("/", response_class=HTMLResponse)
def index(request: Request, who: Who) -> HTMLResponse:
    return _page(request, "index.html")


@pages.get("/draws", response_class=HTMLResponse)
def draws_page(request: Request, st: St, who: Who) -> HTMLResponse:
    """抽查公示 (一公开, domain.md §8): every draw with its plan and public record to download, their
    SHA-256, and how to check them (docs/draws.md, an outsider's check)."""
    with st.connect() as conn:
        rows = published_draws(conn)
    return _page(request, "draws.html", draws=rows)


@pages.get("/entity", response_class=HTMLResponse)
def entity_page(request: Request, st: St, who: Who, uscc: str = "", as_of: str = "") -> HTMLResponse:
    problem = uscc_problem(uscc) if uscc else "请输入统一社会信用代码"
    if problem:
        return _page(request, "index.html", 422, error=for_public(problem), uscc=uscc)
    code = normalise_uscc(uscc)
    # A Chinese input method types the date in full-width digits and dashes: normalised (NFKC) on
    # this page for the public, then read as strictly as every other door reads a date.
    typed = typed_day(as_of)
    with st.connect() as conn:
        try:
            d = calendar_day(typed) if typed else default_as_of(conn, st)
        except ValueError:
            return _page(request, "index.html", 422, error=f"日期“{as_of}”格式有误，应为“年-月-日”，例如 2026-07-15", uscc=uscc)
        # Before the first night the record holds nothing: refused, as GET /v1/entities refuses it
        # (domain.md §10; credit.api.answers.within_history).
        first = first_night(conn) if typed else None
        if first is not None and (problem := before_data_problem(d, first, "查询日期")):
            return _page(request, "index.html", 422, error=for_public(problem), uscc=uscc)
        latest = certificates.latest_data_date(conn) or d
        doc = views.entity_status(conn, st.settings, st.config, code, d, role="public", latest=latest,
                                  today=st.today())
        letters = _letters(conn, st, code, d)
    if doc["registration"] is None and not doc["rosters"]:
        return _page(request, "index.html", 404, error=f"未找到统一社会信用代码为 {code} 的主体", uscc=uscc)
    return _page(request, "entity.html", doc=doc, letters=letters, today=st.today().isoformat(), issuer=_issuer(st))


def _letters(conn: Connection, st: ServiceState, uscc: str, through: date) -> list[Letter]:
    """The 双告知 letters of the entity up to the page's date (the applicant's half, domain.md §11):
    the licences its registration events need, as the departments were told."""
    return letters_of(notices_of_entity(conn, uscc, through, clock.zone(st.settings)))


def _issuer(st: ServiceState) -> str:
    """Who publishes the record, as printed at the foot of a printed page (config/api.yaml ``issuer``)."""
    return str(st.config.get("issuer") or "市场监督管理部门")


@pages.post("/entity/{uscc}/apply", response_class=HTMLResponse)
def apply_page(request: Request, st: St, who: Who, uscc: str, roster: Annotated[str, Form()],
               grounds: Annotated[str, Form()] = "", documents: Annotated[str, Form()] = "",
               case_no: Annotated[str, Form()] = "", contact: Annotated[str, Form()] = "",
               token: Annotated[str, Form()] = "", once: Annotated[str, Form(max_length=200)] = "") -> Response:
    """An application from the entity page's form; the answer is its receipt page (201).

    The form's submission id (``once``, credit.api.once) makes a second post of the same form (a
    double click, a reload that re-posts) answer with the first post's receipt page, in this
    browser only, instead of recording a second application."""
    # A refused application gives its form back filled in as sent: the applicant corrects, never retypes.
    sent = {"roster": roster, "grounds": grounds, "documents": documents, "case_no": case_no, "contact": contact}
    if not _form_ok(request, token):
        return _entity_with_error(request, st, uscc, f"申请未提交：{STALE_FORM}", 403, sent)
    docs = [line.strip() for line in documents.splitlines() if line.strip()]
    try:
        body = RepairApplication.model_validate({"uscc": uscc, "roster": roster, "grounds": grounds.strip(),
                                                  "documents": docs, "case_no": case_no.strip() or None,
                                                  "contact": contact.strip() or None})
    except ValidationError as e:
        return _entity_with_error(request, st, uscc, f"申请未提交：{form_problems(e.errors())}", 422, sent)
    ticket = form_once(request, once, f"/entity/{body.uscc}/apply", sent)
    try:
        out = submit_application(st, body, st.today(), "page", who, recorded_by="online:page", once=ticket)
    except once_.StillRunning:
        return _entity_with_error(request, st, uscc, still_running("稍候再次点击本表单的提交按钮即显示其回执（不会重复提交）"),
                                  409, {**sent, "once": once.strip()})
    except once_.OtherRequest:
        return _entity_with_error(request, st, uscc, f"申请未提交：{OTHER_CONTENT}", 422, sent)
    except HTTPException as e:
        detail = e.detail if isinstance(e.detail, str) else \
            "；".join(str(d.get("msg", "")) for d in e.detail if isinstance(d, dict))
        return _entity_with_error(request, st, uscc, f"申请未提交：{for_public(detail)}", e.status_code, sent)
    # The receipt is this answer itself (not a redirect to a URL holding the token, which would
    # stay in the history and in access logs): the token is shown once.
    with st.connect() as conn:
        doc = readable_application(conn, st, int(out["id"]), who, str(out["receipt_token"]))
    return _page(request, "application.html", 201, app=doc, receipt=out["receipt_token"], issuer=_issuer(st),
                 today=st.today().isoformat(), unverified=views.limit_unverified(doc, st.settings))


@pages.get("/entity/{uscc}/apply")
def apply_again(uscc: str) -> RedirectResponse:
    """The application form's address opened without the form (a reload or a bookmark after
    submitting): back to the entity's page and its form, not an error."""
    return RedirectResponse(f"/entity?uscc={quote(uscc, safe='')}#apply", status_code=303)


def _entity_with_error(request: Request, st: ServiceState, uscc: str, error: str, status: int = 422,
                       form: dict[str, str] | None = None) -> HTMLResponse:
    code = normalise_uscc(uscc)
    if (problem := uscc_problem(code)) is not None:
        return _page(request, "index.html", 422, error=for_public(problem), uscc=uscc)
    with st.connect() as conn:
        d = default_as_of(conn, st)
        doc = views.entity_status(conn, st.settings, st.config, code, d, role="public",
                                  latest=certificates.latest_data_date(conn) or d, today=st.today())
        letters = _letters(conn, st, code, d)
    return _page(request, "entity.html", status, doc=doc, letters=letters, error=error, today=st.today().isoformat(),
                 issuer=_issuer(st), form=form)


@pages.get("/applications/{application_id}", response_class=HTMLResponse)
def application_page(request: Request, st: St, who: Who, application_id: int, token: str = "") -> HTMLResponse:
    """An application, for its applicant (``?token=`` the receipt token) or the bureau; 404 otherwise."""
    with st.connect() as conn:
        doc = readable_application(conn, st, application_id, who, token[:100] or None) \
            if 0 < application_id < 2**62 else None
    if doc is None:
        return _page(request, "index.html", 404, error=f"没有编号为 {application_id} 的修复申请，或回执码不符")
    return _page(request, "application.html", app=doc, issuer=_issuer(st), today=st.today().isoformat(),
                 unverified=views.limit_unverified(doc, st.settings))


@pages.post("/receipts", response_class=HTMLResponse)
def receipt_page(request: Request, st: St, who: Who, receipt: Annotated[str, Form(max_length=200)] = "",
                 token: Annotated[str, Form()] = "") -> HTMLResponse:
    """An application looked up by its receipt token (posted, so that the token stays out of URLs)."""
    if not _form_ok(request, token):
        return _page(request, "index.html", 403, error=STALE_FORM)
    with st.connect() as conn:
        found = receipt_application(conn, receipt)
        doc = readable_application(conn, st, found, who, receipt) if found else None
    if doc is None:
        return _page(request, "index.html", 404, error="回执码无效")
    return _page(request, "application.html", app=doc, issuer=_issuer(st), today=st.today().isoformat(),
                 unverified=views.limit_unverified(doc, st.settings))


@pages.get("/receipts")
def receipts_again() -> RedirectResponse:
    """The receipt form's address opened without the form: back to the start page, where the form is
    (the receipt token is posted, never put in a URL)."""
    return RedirectResponse("/", status_code=303)


# ------------------------------------------------------------------------------------------ bureau
ACTORS = {"night": "夜间批处理（自动）", "officer": "本局承办人员", "party": "当事人（陈述、申辩、听证）"}
"""Who takes a procedure's next step, as the bureau page says it."""
Case = Annotated[str, PathParam(min_length=1, max_length=200)]


@pages.get("/bureau", response_class=HTMLResponse)
def bureau_page(request: Request, st: St, who: Who, scope: str = "") -> HTMLResponse:
    if not who.allows("bureau"):
        return _page(request, "bureau_login.html")
    step = request.query_params.get("done", "")
    done = f"已记录：案件 {request.query_params.get('case', '')} 的{serious.STEP_LABELS[step]}" \
        if step in serious.STEP_LABELS else None
    return _bureau(request, st, who, ok=done, scope=scope)


NOTICES_PER_DEPARTMENT = 10
"""Notices of each licensing department on the overview (the count says how many there are)."""


def watch_rows(conn: Connection, st: ServiceState, where: bureau_views.Scope) -> list[dict[str, Any]]:
    """The deadline watch (credit.rosters.deadlines) of the authorities in ``where``, most urgent first: by due date
    (overdue first), items without a date last; labels in Chinese. Read whole: the due dates are
    derived on the working calendar when read."""
    within = watch_within(st)
    watch = deadline_watch(conn, st.today(), within, st.settings, district=where["prefix"])
    rows = [{str(k): v for k, v in w.items()} for w in watch.astype(object).where(watch.notna(), None)
            .to_dict("records")]
    for w in rows:
        w["kind_label"] = w.get("kind_label") or bureau_views.kind_label(str(w.get("kind") or ""))
        w["ref_label"] = w.get("ref_label") or bureau_views.ref_label(str(w.get("ref") or ""))
        due = w.get("due_date")
        w["due_date"] = due.isoformat() if isinstance(due, date) else due
    rows.sort(key=lambda w: (w["due_date"] is None, str(w["due_date"] or ""), str(w.get("kind") or ""),
                             str(w.get("uscc") or "")))
    return rows


def watch_within(st: ServiceState) -> int:
    """The deadline watch's horizon in working days (config/api.yaml ``deadline_watch.within_wd``)."""
    return int((st.config.get("deadline_watch") or {}).get("within_wd", 10))


def open_procedures(conn: Connection, st: ServiceState, where: bureau_views.Scope) -> list[serious.ProcedureView]:
    """The open serious-list procedures (domain.md §4) in which an authority in ``where`` acts (the
    deciding one, or the next-higher bureau whose consent is owed), by their codes
    (:func:`credit.rosters.serious.in_district`), the next step's limit soonest first (those without
    a limit last)."""
    procs = [p for p in serious.procedures(conn, st.today(), open_only=True, settings=st.settings)
             if serious.in_district(p, where["prefix"])]
    procs.sort(key=lambda p: (not (p["next_by"] or p["next_by_provisional"]),
                              str(p["next_by"] or p["next_by_provisional"] or ""), p["case_no"]))
    return procs


def scope_query(where: bureau_views.Scope) -> str:
    """The query string keeping a list's district switch in its links ("" or "?scope=all")."""
    return "?scope=all" if where["all"] and where["switchable"] else ""


def _bureau(request: Request, st: ServiceState, who: Principal, status: int = 200, error: str | None = None,
            ok: str | None = None, scope: str = "", form: dict[str, str] | None = None) -> HTMLResponse:
    """The overview; ``form``: a refused serious-list form as sent (with its ``case``), given back filled in."""
    within = watch_within(st)
    today = st.today()
    zone = clock.zone(st.settings)
    where = bureau_views.scope_of(who.authority if who.officer_id is not None else None, scope)
    with st.connect() as conn:
        night = latest_run(conn)
        nights = bureau_views.recent_nights(conn, zone, st.settings, limit=1)
        watch = watch_rows(conn, st, where)
        procedures = open_procedures(conn, st, where)
        # 双告知: the latest night's notices per licensing department (the first few of each)
        notices = notices_head(conn, night["night"], NOTICES_PER_DEPARTMENT, zone) if night is not None else {}
        counts = notices_counts(conn, night["night"]) if night is not None else {}
    short = bureau_views.OVERVIEW_ROWS
    return _page(request, "bureau.html", status, who=who, me=workbench_who(who), night=nights[0] if nights else None,
                 notices=notices, notice_counts=counts, watch=watch[:short], watch_total=len(watch), within=within,
                 today=today.isoformat(), procedures=procedures[:short], procedures_total=len(procedures),
                 scope=where, sq=scope_query(where), notice_night=night["night"].isoformat() if night else None,
                 actors=ACTORS, error=error, ok=ok,
                 intents=INTENT_LABELS, outcomes=OUTCOME_LABELS, consent_outcomes=CONSENT_LABELS, sent_form=form)


def workbench_who(who: Principal) -> dict[str, str]:
    """The signed-in officer (or key holder) as the workbench names them."""
    if who.officer_id is not None:
        from credit.rosters.authorities import authority_of

        return {"name": who.display_name or who.name or "", "login": who.name or "",
                "role": officers.ROLE_LABELS.get(who.officer_role or "", who.officer_role or ""),
                "authority": authority_of(who.authority or "000000", {}).name}
    return {"name": who.name or "", "login": "", "role": "监管部门密钥", "authority": ""}


INTENT_LABELS = {"intentional": "故意", "negligent": "过失", "no_intent_proven": "当事人能够证明没有主观故意"}
OUTCOME_LABELS = {"list": "列入", "not_list": "不予列入"}
CONSENT_LABELS = {"granted": "同意列入", "refused": "不同意列入"}


def _officer_form(request: Request, st: ServiceState, who: Principal, token: str,
                  action: str = "draft", form: dict[str, str] | None = None) -> HTMLResponse | None:
    """The refusal page when the caller may not act through a bureau form, None when it may (an
    officer's account also needs a role allowing ``action``, credit.api.officers)."""
    if not who.allows("bureau"):
        return _page(request, "bureau_login.html", 403, error="请先登录监管部门工作台")
    if not _form_ok(request, token):
        return _bureau(request, st, who, 403, error=STALE_FORM, form=form)
    if (why := officers.refusal(who, action, None)) is not None:
        return _bureau(request, st, who, 403, error=f"未记录：{why}", form=form)
    return None


ASSESSMENT_FIELDS = {"intent": "主观过错", "frequency": "违法频次", "harm": "危害后果", "outcome": "评估结论",
                     "note": "评估说明"}
CONSENT_FIELDS = {"authority": "出具意见的机关", "consented_on": "意见日期", "document_no": "文号", "outcome": "意见",
                  "note": "备注"}
"""The serious-list forms' fields by their labels on the page (bureau_serious_table.html)."""


def _invalid(e: ValidationError, labels: dict[str, str]) -> str:
    """What a serious-list form lacks, by the names its labels give (pydantic's English stays out)."""
    return form_problems(e.errors(), labels)


@pages.post("/bureau/serious/{case}/assessment", response_class=HTMLResponse)
def bureau_serious_assessment(request: Request, st: St, who: Who, case: Case, intent: Annotated[str, Form()] = "",
                              frequency: Annotated[str, Form()] = "", harm: Annotated[str, Form()] = "",
                              outcome: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
                              token: Annotated[str, Form()] = "", once: Annotated[str, Form(max_length=200)] = "") -> Response:
    """The officer's art. 12 assessment (44号令 art. 12, domain.md §4), as ``POST /v1/bureau/serious/{case}/assessment``;
    sent twice with one submission id (``once``), the second post shows the first's result (:func:`recorded_form`)."""
    sent = {"case": case, "intent": intent, "frequency": frequency, "harm": harm, "outcome": outcome, "note": note}
    if (denied := _officer_form(request, st, who, token, form=sent)) is not None:
        return denied
    try:
        body = SeriousAssessment.model_validate({"on": st.today(), "intent": intent, "frequency": frequency.strip(),
                                                 "harm": harm.strip(), "outcome": outcome, "note": note.strip() or None})
    except ValidationError as e:
        return _bureau(request, st, who, 422, error=f"评估未记录：{_invalid(e, ASSESSMENT_FIELDS)}", form=sent)

    def work(conn: Connection) -> str:
        key = _serious_key(conn, st, case, body.on, "评估未记录")
        if (why := officers.serious_refusal(who, "draft", bureau_views.serious_authority(conn, key))) is not None:
            raise Refused(403, f"评估未记录：{why}")
        try:
            serious_officers.record_assessment(conn, case, officer=who.actor, on=body.on, intent=body.intent,
                                      frequency=body.frequency, harm=body.harm, outcome=body.outcome,
                                      note=body.note, settings=st.settings)
        except serious_officers.Refused as e:
            raise Refused(409, f"评估未记录：{e}") from None
        return f"/bureau?done=assess&case={quote(case)}#serious"

    return _serious_form(request, st, who, f"/bureau/serious/{case}/assessment", sent, once, work, "记录评估")


@pages.post("/bureau/serious/{case}/consent", response_class=HTMLResponse)
def bureau_serious_consent(request: Request, st: St, who: Who, case: Case, authority: Annotated[str, Form()] = "",
                           consented_on: Annotated[str, Form()] = "", document_no: Annotated[str, Form()] = "",
                           outcome: Annotated[str, Form()] = "granted", note: Annotated[str, Form()] = "",
                           token: Annotated[str, Form()] = "", once: Annotated[str, Form(max_length=200)] = "") -> Response:
    """The next-higher bureau's consent (or refusal), as ``POST /v1/bureau/serious/{case}/consent``;
    sent twice with one submission id (``once``), the second post shows the first's result."""
    sent = {"case": case, "authority": authority, "consented_on": consented_on, "document_no": document_no,
            "outcome": outcome, "note": note}
    if (denied := _officer_form(request, st, who, token, "approve", form=sent)) is not None:
        return denied
    try:
        body = SeriousConsent.model_validate({"on": st.today(), "authority": authority.strip(),
                                              "consented_on": consented_on.strip(), "document_no": document_no.strip(),
                                              "outcome": outcome, "note": note.strip() or None})
    except ValidationError as e:
        return _bureau(request, st, who, 422, error=f"意见未记录：{_invalid(e, CONSENT_FIELDS)}", form=sent)

    def work(conn: Connection) -> str:
        key = _serious_key(conn, st, case, body.on, "意见未记录")
        why = officers.serious_refusal(who, "approve", bureau_views.serious_authority(conn, key), higher_too=True)
        if why is not None:
            raise Refused(403, f"意见未记录：{why}")
        try:
            serious_officers.record_consent(conn, case, officer=who.actor, on=body.on,
                                   consenting_authority=body.authority, consented_on=body.consented_on,
                                   document_no=body.document_no, outcome=body.outcome, note=body.note,
                                   settings=st.settings)
        except serious_officers.Refused as e:
            raise Refused(409, f"意见未记录：{e}") from None
        return f"/bureau?done=consent&case={quote(case)}#serious"

    return _serious_form(request, st, who, f"/bureau/serious/{case}/consent", sent, once, work, "记录意见")


def _serious_key(conn: Connection, st: ServiceState, case: str, on: date, head: str) -> str:
    """The key of the procedure ``case`` names, whose authority decides who may act (each entity's
    procedure on a corrected penalty is run by its own); refused (409, after ``head``) as the step
    would be, e.g. a case number alone naming several entities' procedures."""
    try:
        return serious_officers.case_key(conn, case, on, None, st.settings)
    except serious_officers.Refused as e:
        raise Refused(409, f"{head}：{e}") from None


def _serious_form(request: Request, st: ServiceState, who: Principal, route: str, sent: dict[str, str], once: str,
                  work: Callable[[Connection], str], button: str) -> Response:
    """A serious-list form's step recorded once per submission id (:func:`recorded_form`); its
    refusals on the overview, the form given back as sent (while the first post runs: with its id)."""
    def again(status: int, error: str, keep: bool) -> Response:
        return _bureau(request, st, who, status, error=error, form={**sent, "once": once.strip()} if keep else sent)

    return answered_form(st, form_once(request, once, route, sent), work, again,
                         f"稍候再次点击“{button}”即显示其结果（不会重复记录）")


@pages.post("/bureau/login", response_class=HTMLResponse)
def bureau_login(request: Request, st: St, key: Annotated[str, Form(max_length=200)] = "",
                 login: Annotated[str, Form(max_length=64)] = "", password: Annotated[str, Form(max_length=200)] = "",
                 token: Annotated[str, Form()] = "") -> Response:
    """Sign in with an officer's login and password (credit.api.officers), or with a bureau key:
    a new server-side session (neither the password nor the key is kept in the browser).

    Attempts are limited per client address (config/api.yaml ``rate_limits.login``); an account
    is locked after repeated refusals (``officer_lockout``); refused ones are recorded like
    sign-ins (``api_session_events``)."""
    addr = client_address(request)
    per_minute = st.limit("login", 10)
    wait = st.limiter.take(f"login:{addr}", per_minute)
    if wait > 0:
        slow = _page(request, "bureau_login.html", 429,
                     error=f"登录尝试过于频繁，请 {retry_after(wait)} 秒后重试")
        slow.headers["Retry-After"] = str(retry_after(wait))
        return slow
    if not _form_ok(request, token):
        return _page(request, "bureau_login.html", 403, error=STALE_FORM)
    if login.strip():
        return _officer_login(request, st, login, password, addr)
    if not key.strip():
        return _page(request, "bureau_login.html", 422, error="请填写用户名和密码（或使用监管部门 API 密钥登录）")
    who = None
    if key.strip():
        try:
            who = st.principal(key.strip())
        except UnknownKey:
            who = None
    with st.begin() as conn:
        if who is None or not who.allows("bureau"):
            log_event(conn, "login_refused", who.key_id if who else None, who.name if who else None, addr)
            refused = True
        else:
            purge_expired(conn, st.sessions)
            sid = start_session(conn, who, addr, st.sessions)
            refused = False
    if refused:
        return _page(request, "bureau_login.html", 401, error="密钥无效或不是监管部门角色")
    return _signed_in(request, st, sid)


def _signed_in(request: Request, st: ServiceState, sid: str) -> Response:
    resp = RedirectResponse("/bureau", status_code=303)
    _cookie(request, resp, SESSION_COOKIE, sid, st.sessions.absolute_seconds)
    return resp


def _officer_login(request: Request, st: ServiceState, login: str, password: str, addr: str) -> Response:
    lockout = officers.Lockout.of(st.config.get("officer_lockout"))
    with st.begin() as conn:
        out = officers.authenticate(conn, login, password, lockout, addr)
        if out.officer is not None:
            acc = out.officer
            who = Principal("bureau", None, acc["login"], None, officer_id=acc["id"], officer_role=acc["role"],
                            authority=acc["authority"], display_name=acc["display_name"])
            purge_expired(conn, st.sessions)
            sid = start_session(conn, who, addr, st.sessions)
    if out.refusal == "locked":
        return _page(request, "bureau_login.html", 423, login=login,
                     error=f"登录失败次数过多，账号已锁定，请 {lockout.minutes} 分钟后再试或联系管理员")
    if out.officer is None:
        return _page(request, "bureau_login.html", 401, login=login, error="用户名或密码错误")
    return _signed_in(request, st, sid)


@pages.get("/bureau/login")
@pages.get("/bureau/logout")
def bureau_sign_in_again() -> RedirectResponse:
    """The sign-in and sign-out forms' addresses opened without their form: the bureau page."""
    return RedirectResponse("/bureau", status_code=303)


@pages.post("/bureau/logout", response_class=HTMLResponse)
def bureau_logout(request: Request, st: St, who: Who, token: Annotated[str, Form()] = "") -> Response:
    """Sign out: the session is deleted server-side (a copied cookie no longer works) and recorded."""
    if not _form_ok(request, token):
        return _page(request, "bureau_login.html", 403, error=STALE_FORM)
    sid = getattr(request.state, "session", None)
    if sid:
        with st.begin() as conn:
            end_session(conn, sid, client_address(request))
    resp = RedirectResponse("/bureau", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                       secure=st.sessions.secure(request.url.scheme))
    return resp


@pages.get("/bureau/report/{night}")
def bureau_report(st: St, who: Who, night: str) -> Response:
    if not who.allows("bureau"):
        raise HTTPException(403, "需要监管部门角色 (bureau role needed)")
    try:
        d = calendar_day(night)
    except ValueError:
        raise HTTPException(422, "批次日期应写作 YYYY-MM-DD（例如 2026-07-15） (night is a date YYYY-MM-DD)") from None
    path = st.settings.reports_dir / d.isoformat() / "index.html"
    if not path.is_file():
        raise HTTPException(404, f"{d} 没有夜间报告 (no report for that night)")
    return FileResponse(path, media_type="text/html; charset=utf-8")
