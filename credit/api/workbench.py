"""The bureau workbench's pages beyond the overview (issue 15): server-rendered, Chinese, no JavaScript.

- ``/bureau/nights``: the latest nights as tables (files, rows, quarantined, decisions per roster
  and action, the tier distribution), times on the bureau's clock, each with its report and its
  quarantine;
- ``/bureau/nights/{night}/quarantine?page=N``: the rows the night held back (file, line, reason,
  raw content), paged; ``…/quarantine.csv``: all of them (UTF-8 with BOM);
- ``/bureau/drafts``: drafts (拟列入/拟移出) with approve/reject — :func:`credit.rosters.repair.decide_draft`,
  as ``credit decision approve|reject`` and ``POST /v1/bureau/drafts/{seq}/decision``;
- ``/bureau/requests``: repair applications and objections with their decide-by dates; an
  objection's answer — :func:`credit.rosters.repair.decide_objection`, as ``credit objection decide``
  and the API — and, for an application the night drafted a removal for, the draft's approval
  (:func:`credit.rosters.repair.decide_draft`; a rejection needs its reason); an application the
  night has not drafted yet says so (待夜间批次审查);
- ``/bureau/draws``: plans, drawing, the drawn inspections — :func:`credit.draws.store.plan_draw`,
  :func:`~credit.draws.store.run_draw`, as ``credit draw plan|run``.

- ``/bureau/deadlines``, ``/bureau/serious``, ``/bureau/notices``: the overview's sections whole —
  the deadline watch, the open serious-list procedures with their forms (posting to the overview's
  routes), a night's 双告知 notices.

The long lists (drafts, requests, deadlines, procedures, notices) are paged, 50 rows a page
(``?page=N``; a malformed number gives page 1 and HTTP 422 with a Chinese note, a page past the
last one the last page): drafts, requests and notices with LIMIT/OFFSET in SQL and a count that
stops at :data:`credit.api.bureau_views.COUNT_CAP` ("至少 10000 项"); the deadline watch and the
procedures, whose limits are derived on the working calendar when read, are read whole (the watch
filtered to the district in SQL) and cut in Python. An officer's account sees its own authority's
district by default (a city's or province's bureau: the divisions below it, by GB/T 2260 code
prefix, :func:`credit.api.bureau_views.scope_of`); ``?scope=all`` shows every district — acting on
another authority's item is still refused (credit.api.officers). A bureau key sees every district.

Every form carries the browser's form token (credit.api.sessions) and acts on the bureau's
calendar day; every form that records carries a single-use submission id (``once``,
credit.api.once): posted twice (a double click), the second post shows the first one's result
instead of the rule's refusal of a second decision (409). The actor recorded is the signed-in account (``account:<login>``) — never a name
typed into a form; an account's role and authority are checked first (credit.api.officers).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.engine import Connection

from credit import clock
from credit.api import bureau_views as bv
from credit.api import draw_views, officers
from credit.api import once as once_
from credit.api.auth import Principal
from credit.api.deps import ServiceState, caller, state
from credit.api.pages import (
    ACTORS,
    CONSENT_LABELS,
    INTENT_LABELS,
    OTHER_CONTENT,
    OUTCOME_LABELS,
    STALE_FORM,
    Refused,
    answered_form,
    form_ok,
    form_once,
    open_procedures,
    recorded_form,
    render_page,
    still_running,
    watch_rows,
    watch_within,
    workbench_who,
)
from credit.calendar import UnknownCalendarYear
from credit.clock import calendar_day
from credit.config import load_config
from credit.draws import read as draws_read
from credit.draws import store as draws_store
from credit.draws.core import DrawRefused
from credit.notices.read import notices_counts, unknown_department
from credit.notices.read import notices_page as notices_page_of
from credit.notices.rules import rules_of
from credit.rosters import repair
from credit.rosters.read import latest_night

workbench = APIRouter(include_in_schema=False)
St = Annotated[ServiceState, Depends(state)]
Who = Annotated[Principal, Depends(caller)]
Night = Annotated[str, PathParam(max_length=10)]


def zone_of(st: ServiceState) -> ZoneInfo:
    """The bureau's clock (:mod:`credit.clock`: config/schedule.yaml ``timezone``)."""
    return clock.zone(st.settings)


def bureau_page(request: Request, st: ServiceState, who: Principal, name: str, status: int = 200,
                **ctx: Any) -> HTMLResponse:
    """A workbench page: the signed-in officer, the bureau's today, the navigation."""
    return render_page(request, name, status, who=who, me=workbench_who(who), today=st.today().isoformat(), **ctx)


def _signed_out(request: Request, who: Principal, status: int = 200) -> HTMLResponse | None:
    if who.allows("bureau"):
        return None
    return render_page(request, "bureau_login.html", status,
                       error=None if status == 200 else "请先登录监管部门工作台")


DONE = {"approve": "草稿 {ref} 已批准", "reject": "草稿 {ref} 不予批准", "upheld": "异议 {ref}：异议成立（撤销该决定）",
        "dismissed": "异议 {ref}：异议不成立（驳回）", "plan": "抽查任务 {ref} 已确定", "run": "抽查任务 {ref} 已抽取"}
"""The confirmation line after a form (303 to ``?done=<what>&ref=<id>[&seq=<decision>]``): built
here from fixed texts, never text carried in the URL."""


def _done(st: ServiceState, done: str, ref: str, seq: int | None) -> str | None:
    if done not in DONE or not re.fullmatch(r"[A-Za-z0-9-]{1,64}", ref):
        return None
    text = "已记录：" + DONE[done].format(ref=ref)
    if seq is not None and 0 < seq < 2**62:
        with st.connect() as conn:
            number = bv.decision_no(conn, seq)
        if number:
            text += f"，文号 {number}"
    return text


def _night(text: str) -> date | None:
    try:
        return calendar_day(text)
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------ nights
@workbench.get("/bureau/nights", response_class=HTMLResponse)
def nights_page(request: Request, st: St, who: Who) -> HTMLResponse:
    if (out := _signed_out(request, who)) is not None:
        return out
    with st.connect() as conn:
        nights = bv.recent_nights(conn, zone_of(st), st.settings, limit=7)
    return bureau_page(request, st, who, "bureau_nights.html", nights=nights)


@workbench.get("/bureau/nights/{night}/quarantine", response_class=HTMLResponse)
def quarantine_page(request: Request, st: St, who: Who, night: Night, page: str = "") -> HTMLResponse:
    if (out := _signed_out(request, who)) is not None:
        return out
    d = _night(night)
    if d is None:
        return bureau_page(request, st, who, "bureau_quarantine.html", 422, q=None,
                           error=f"日期“{night[:10]}”格式应为 YYYY-MM-DD")
    number, note = bv.parse_page(page)
    with st.connect() as conn:
        if not bv.published(conn, d):
            return bureau_page(request, st, who, "bureau_quarantine.html", 404, q=None, error=bv.unpublished(d))
        q = bv.quarantine_page(conn, d, number)
    return bureau_page(request, st, who, "bureau_quarantine.html", 422 if note else 200, q=q, error=note)


@workbench.get("/bureau/nights/{night}/quarantine.csv")
def quarantine_csv(request: Request, st: St, who: Who, night: Night) -> Response:
    if (out := _signed_out(request, who, 403)) is not None:
        return out
    d = _night(night)
    if d is None:
        return Response("日期格式应为 YYYY-MM-DD", status_code=422, media_type="text/plain; charset=utf-8")
    with st.connect() as conn:
        if not bv.published(conn, d):
            return Response(bv.unpublished(d), status_code=404, media_type="text/plain; charset=utf-8")
        body = bv.quarantine_csv(conn, d)
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="quarantine-{d.isoformat()}.csv"', "Cache-Control": "no-store"})


# ------------------------------------------------------------------------------------- long lists
def listing(who: Principal, page: str, scope: str) -> tuple[int, str | None, bv.Scope]:
    """What a long list's address asks for: the page (a malformed number gives page 1 and a note)
    and the districts (the account's own by default, ``?scope=all`` every district)."""
    number, note = bv.parse_page(page)
    return number, note, bv.scope_of(who.authority if who.officer_id is not None else None, scope)


def list_page(request: Request, st: ServiceState, who: Principal, name: str, status: int, base: str,
              p: bv.Paging, where: bv.Scope, note: str | None, extra: str = "", **ctx: Any) -> HTMLResponse:
    """A long list's page: its count, district switch and page links (a malformed page number: 422)."""
    scoped = "&scope=all" if where["all"] and where["switchable"] else ""
    if note is not None and status == 200:
        status = 422
    return bureau_page(request, st, who, name, status, p=p, scope=where, base=base, page_sq=extra + scoped,
                       error=ctx.pop("error", None) or note, **ctx)


# ------------------------------------------------------------------------------------------ drafts
def _drafts(request: Request, st: ServiceState, who: Principal, status: int = 200, page: str = "",
            scope: str = "", **ctx: Any) -> HTMLResponse:
    number, note, where = listing(who, page, scope)
    with st.connect() as conn:
        drafts, p = bv.open_drafts(conn, where, number)
    return list_page(request, st, who, "bureau_drafts.html", status, "/bureau/drafts", p, where, note,
                     drafts=drafts, **ctx)


@workbench.get("/bureau/drafts", response_class=HTMLResponse)
def drafts_page(request: Request, st: St, who: Who, done: str = "", ref: str = "",
                seq: int | None = None, page: str = "", scope: str = "") -> HTMLResponse:
    """The drafts in the account's district (``?scope=all``: every district), 50 a page (``?page=N``)."""
    if (out := _signed_out(request, who)) is not None:
        return out
    return _drafts(request, st, who, page=page, scope=scope, ok=_done(st, done, ref, seq))


@workbench.post("/bureau/drafts/{seq}/decision", response_class=HTMLResponse)
def draft_decision(request: Request, st: St, who: Who, seq: Annotated[int, PathParam(ge=1, le=2**62)],
                   decision: Annotated[str, Form()] = "", note: Annotated[str, Form(max_length=2000)] = "",
                   back: Annotated[str, Form()] = "drafts", token: Annotated[str, Form()] = "",
                   once: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Approve or reject a draft on the bureau's today, as ``credit decision approve|reject``; sent
    twice with one submission id (``once``), the second post shows the first's result (a draft is
    decided once: it used to answer 409 "已经审批")."""
    if (out := _signed_out(request, who, 403)) is not None:
        return out
    list_again = _requests if back == "requests" else _drafts
    sent: dict[str, Any] = {"draft": seq, "note": note}          # a refused decision gives its note back

    def again(request: Request, st: ServiceState, who: Principal, status: int, error: str,
              form: dict[str, Any] = sent) -> HTMLResponse:
        return list_again(request, st, who, status, error=error, sent_form=form)

    if not form_ok(request, token):
        return again(request, st, who, 403, error=STALE_FORM)
    if decision not in ("approve", "reject"):
        return again(request, st, who, 422, error="请选择批准或不予批准")
    if decision == "reject" and not note.strip():
        return again(request, st, who, 422, error="未记录：不予批准须填写理由")

    def work(conn: Connection) -> str:
        why = officers.refusal(who, "approve", bv.draft_authority(conn, seq))
        if why is not None:
            raise Refused(403, f"未记录：{why}")
        try:
            res = repair.decide_draft(conn, seq, who.actor, st.today(), decision == "approve", note.strip() or None,
                                      settings=st.settings)
        except repair.Refused as e:
            raise Refused(409, f"未记录：{e}") from None
        target = "/bureau/requests" if back == "requests" else "/bureau/drafts"
        return f"{target}?done={decision}&ref={seq}&seq={res['seq']}"

    ticket = form_once(request, once, f"/bureau/drafts/{seq}/decision",
                       {"decision": decision, "note": note, "back": back})
    def shown(status: int, error: str, keep: bool) -> Response:
        if keep:
            return again(request, st, who, status, error, {**sent, "once": once.strip()})
        return again(request, st, who, status, error=error)

    return answered_form(st, ticket, work, shown, "稍候再次点击同一按钮即显示其结果（不会重复记录）")


# ---------------------------------------------------------------------------------------- requests
OBJECTION_OUTCOMES = {"upheld": "异议成立（撤销该决定）", "dismissed": "异议不成立（驳回）"}


def _requests(request: Request, st: ServiceState, who: Principal, status: int = 200, page: str = "",
              scope: str = "", **ctx: Any) -> HTMLResponse:
    number, note, where = listing(who, page, scope)
    with st.connect() as conn:
        rows, p = bv.open_requests(conn, st.settings, where, number)
    return list_page(request, st, who, "bureau_requests.html", status, "/bureau/requests", p, where, note,
                     requests=rows, outcomes=OBJECTION_OUTCOMES, **ctx)


@workbench.get("/bureau/requests", response_class=HTMLResponse)
def requests_page(request: Request, st: St, who: Who, done: str = "", ref: str = "",
                  seq: int | None = None, page: str = "", scope: str = "") -> HTMLResponse:
    """Applications and objections in the account's district (``?scope=all``: every district), paged."""
    if (out := _signed_out(request, who)) is not None:
        return out
    return _requests(request, st, who, page=page, scope=scope, ok=_done(st, done, ref, seq))


# ------------------------------------------------------------------- deadlines, procedures, notices
@workbench.get("/bureau/deadlines", response_class=HTMLResponse)
def deadlines_page(request: Request, st: St, who: Who, page: str = "", scope: str = "") -> HTMLResponse:
    """The whole deadline watch in the account's district (``?scope=all``: every district), most
    urgent first (overdue first), paged; the overview shows its first rows."""
    if (out := _signed_out(request, who)) is not None:
        return out
    number, note, where = listing(who, page, scope)
    with st.connect() as conn:
        rows, p = bv.page_of(watch_rows(conn, st, where), number)
    return list_page(request, st, who, "bureau_deadlines.html", 200, "/bureau/deadlines", p, where, note,
                     watch=rows, within=watch_within(st))


@workbench.get("/bureau/serious", response_class=HTMLResponse)
def serious_page(request: Request, st: St, who: Who, page: str = "", scope: str = "") -> HTMLResponse:
    """The open serious-list procedures (domain.md §4) with their forms (posting to the same
    ``/bureau/serious/{case}/…`` routes as the overview's), paged, in the account's district."""
    if (out := _signed_out(request, who)) is not None:
        return out
    number, note, where = listing(who, page, scope)
    with st.connect() as conn:
        procs, p = bv.page_of(open_procedures(conn, st, where), number)
    return list_page(request, st, who, "bureau_serious.html", 200, "/bureau/serious", p, where, note,
                     procedures=procs, actors=ACTORS, intents=INTENT_LABELS, outcomes=OUTCOME_LABELS,
                     consent_outcomes=CONSENT_LABELS)


@workbench.get("/bureau/notices", response_class=HTMLResponse)
def notices_page(request: Request, st: St, who: Who, night: str = "", department: str = "",
                 page: str = "") -> HTMLResponse:
    """A night's 双告知 notices (one department's with ``?department=``; the latest night by default), paged."""
    if (out := _signed_out(request, who)) is not None:
        return out
    number, note = bv.parse_page(page)
    where = bv.scope_of(None, "")
    dept = department.strip()[:200] or None
    with st.connect() as conn:
        d = _night(night.strip()) if night.strip() else latest_night(conn)
        if d is None:
            return bureau_page(request, st, who, "bureau_notices.html", 422 if night.strip() else 200, p=None,
                               error=f"日期“{night[:10]}”格式应为 YYYY-MM-DD" if night.strip() else "尚无已发布的批次")
        if not bv.published(conn, d):
            return bureau_page(request, st, who, "bureau_notices.html", 404, p=None, error=bv.unpublished(d))
        # An unknown department is refused as the feed refuses it (docs/api.md), not shown an empty
        # page that reads "nothing to notify" (an outsider's acceptance pass, s35).
        refused = unknown_department(conn, rules_of(load_config("notices", st.settings)), dept) if dept else None
        if refused is not None:
            return bureau_page(request, st, who, "bureau_notices.html", 422, p=None, night=d.isoformat(),
                               department=dept, error=refused)
        counts = notices_counts(conn, d)
        total = counts.get(dept, 0) if dept else sum(counts.values())
        p = bv.paging(total, number, cap=total + 1)
        items = notices_page_of(conn, d, dept, bv.PAGE_SIZE, (p["page"] - 1) * bv.PAGE_SIZE, zone_of(st))
    p = bv.settle(p, len(items), p["page"] * bv.PAGE_SIZE < total)
    extra = f"&night={d.isoformat()}" + (f"&department={quote(dept, safe='')}" if dept else "")
    base = f"/bureau/notices?night={d.isoformat()}"
    return list_page(request, st, who, "bureau_notices.html", 200, base, p, where, note, extra, items=items,
                     night=d.isoformat(), department=dept)


@workbench.post("/bureau/objections/{objection_id}/decision", response_class=HTMLResponse)
def objection_decision(request: Request, st: St, who: Who, objection_id: Annotated[int, PathParam(ge=1, le=2**62)],
                       outcome: Annotated[str, Form()] = "", note: Annotated[str, Form(max_length=2000)] = "",
                       token: Annotated[str, Form()] = "", once: Annotated[str, Form(max_length=200)] = "") -> Response:
    """An answer to an objection on the bureau's today, as ``credit objection decide``; sent twice
    with one submission id (``once``), the second post shows the first's result (an objection is
    answered once: it used to answer 409 "已经作出答复")."""
    if (out := _signed_out(request, who, 403)) is not None:
        return out
    sent = {"objection": objection_id, "outcome": outcome, "note": note}   # a refused answer comes back as sent
    if not form_ok(request, token):
        return _requests(request, st, who, 403, error=STALE_FORM, sent_form=sent)
    if outcome not in OBJECTION_OUTCOMES:
        return _requests(request, st, who, 422, error="请选择异议是否成立", sent_form=sent)

    def work(conn: Connection) -> str:
        why = officers.refusal(who, "decide", bv.request_authority(conn, objection_id))
        if why is not None:
            raise Refused(403, f"未记录：{why}")
        try:
            res = repair.decide_objection(conn, objection_id, outcome, st.today(), who.actor, note.strip() or None,
                                          settings=st.settings)
        except repair.Refused as e:
            raise Refused(409, f"未记录：{e}") from None
        return f"/bureau/requests?done={outcome}&ref={objection_id}&seq={res['seq']}"

    def shown(status: int, error: str, keep: bool) -> Response:
        return _requests(request, st, who, status, error=error, sent_form={**sent, "once": once.strip()} if keep else sent)

    return answered_form(st, form_once(request, once, f"/bureau/objections/{objection_id}/decision", sent), work,
                         shown, "稍候再次点击“作出决定”即显示其结果（不会重复记录）")


# ------------------------------------------------------------------------------------------- draws
def _matter_names(st: ServiceState) -> dict[str, str]:
    """Matter id → its name on the 抽查事项清单 (config/draws.yaml)."""
    return {str(k): str((v or {}).get("name", k))
            for k, v in (load_config("draws", st.settings).get("matters") or {}).items()}


def _draws(request: Request, st: ServiceState, who: Principal, status: int = 200, **ctx: Any) -> HTMLResponse:
    matters = _matter_names(st)
    with st.connect() as conn:
        listing = draws_read.draw_listing(conn)
    return bureau_page(request, st, who, "bureau_draws.html", status, draws=listing, matters=matters, **ctx)


@workbench.get("/bureau/draws", response_class=HTMLResponse)
def draws_page(request: Request, st: St, who: Who, done: str = "", ref: str = "") -> HTMLResponse:
    if (out := _signed_out(request, who)) is not None:
        return out
    return _draws(request, st, who, ok=_done(st, done, ref, None))


@workbench.get("/bureau/draws/{draw_id}", response_class=HTMLResponse)
def draw_page(request: Request, st: St, who: Who, draw_id: Annotated[str, PathParam(max_length=64)],
              done: str = "") -> HTMLResponse:
    if (out := _signed_out(request, who)) is not None:
        return out
    matters = _matter_names(st)
    with st.connect() as conn:
        plan = draws_read.public_plan(conn, draw_id)
        if plan is None:
            return _draws(request, st, who, 404, error=f"没有抽查任务 {draw_id}")
        # The names the plan froze (a later edit of the list does not rename a task's matters).
        matters.update({str(m["matter"]): str(m["name"]) for m in plan.get("matters") or [] if m.get("name")})
        drawn = draws_read.is_drawn(conn, draw_id)
        rows: list[dict[str, Any]] = []
        redraws: list[dict[str, Any]] = []
        if drawn:
            cur = draws_read.current_inspections(conn, draw_id)
            rows = [draw_views.inspection_row(r, matters)
                    for r in cur.astype(object).where(cur.notna(), None).to_dict("records")]
            # The redraws, with the entities a closed entity's replacement passed over (held by
            # other live draws, domain.md §8: draw_events.skipped) — the page showed none of them.
            redraws = [draw_views.redraw_row(ev) for ev in draws_read.redraw_events(conn, draw_id)]
    # In Chinese (review item 4): states, matters by name, strata as matter and tier, notes' meaning.
    # The plan's notes in Chinese: a provisional inspection window (domain.md §12: the CLI printed
    # it, the page showed the window as final) and the matters no team can be found for (§8).
    notes = {"schedule": draw_views.chinese_part(plan.get("schedule_note")),
             "staffing": [draw_views.chinese_part(w) for w in plan.get("staffing_warnings") or []]}
    return bureau_page(request, st, who, "bureau_draw.html", draw_id=draw_id, plan=plan, drawn=drawn,
                       inspections=rows, redraws=redraws, matters=matters, levels=draw_views.LEVEL_LABELS, notes=notes,
                       ok=_done(st, done, draw_id, None))


@workbench.post("/bureau/draws/plan", response_class=HTMLResponse)
def draw_plan(request: Request, st: St, who: Who, matter: Annotated[list[str] | None, Form()] = None,
              scope: Annotated[str, Form(max_length=12)] = "", seed_commitment: Annotated[str, Form(max_length=64)] = "",
              public_seed_source: Annotated[str, Form(max_length=500)] = "",
              as_of: Annotated[str, Form(max_length=10)] = "", token: Annotated[str, Form()] = "",
              once: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Fix a task (抽查任务) as of a date (default: the latest published night), as ``credit draw plan``.

    A form that records something new on every post: its submission id (``once``,
    credit.api.once) makes a second post of the same form answer with the first one's task (the
    other forms, refused the second time by their rules, use it through ``recorded_form``)."""
    if (out := _signed_out(request, who, 403)) is not None:
        return out
    # A refused plan gives its form back as sent: the officer corrects, never retypes.
    sent = {"matter": matter or [], "as_of": as_of, "scope": scope, "seed_commitment": seed_commitment,
            "public_seed_source": public_seed_source}
    if not form_ok(request, token):
        return _draws(request, st, who, 403, error=STALE_FORM, plan_form=sent)
    if not matter:
        return _draws(request, st, who, 422, error="请至少选择一个抽查事项", plan_form=sent)
    why = officers.refusal(who, "approve", None)
    if why is not None:
        return _draws(request, st, who, 403, error=f"未记录：{why}", plan_form=sent)
    ticket = form_once(request, once, "/bureau/draws/plan", sent)
    try:
        with st.begin() as conn:
            if (first := once_.claim(conn, ticket)) is not None:
                return RedirectResponse(f"/bureau/draws?done=plan&ref={quote(str(first['draw_id']))}", status_code=303)
            day = _night(as_of.strip()) if as_of.strip() else latest_night(conn)
            # Raised, not returned: a return here committed the id's claim without its answer, and
            # the same form sent again then read "已提交，请勿重复提交" for ever instead of this refusal.
            if day is None:
                raise Refused(422, "名录日期应为 YYYY-MM-DD；尚无已发布批次时必须填写")
            if day > st.today():
                raise Refused(422, f"名录日期 {day.isoformat()} 晚于今天（本局时间 {st.today().isoformat()}），不能确定任务")
            draw_id = draws_store.plan_draw(conn, matter, day, st.settings, scope=scope.strip() or None,
                                            seed_commitment=seed_commitment.strip() or None,
                                            public_seed_source=public_seed_source.strip() or None,
                                            today=st.today())
            once_.answer(conn, ticket, {"draw_id": draw_id})
    except once_.StillRunning:
        return _draws(request, st, who, 409, error=still_running("稍候再次点击“确定任务”即显示该任务（不会重复确定）"),
                      plan_form={**sent, "once": once.strip()})
    except once_.OtherRequest:
        return _draws(request, st, who, 422, error=f"未记录：{OTHER_CONTENT}", plan_form=sent)
    except Refused as e:
        return _draws(request, st, who, e.status, error=e.error, plan_form=sent)
    except (DrawRefused, UnknownCalendarYear) as e:
        return _draws(request, st, who, 409, error=f"未记录：{e}", plan_form=sent)
    return RedirectResponse(f"/bureau/draws?done=plan&ref={quote(draw_id)}", status_code=303)


@workbench.post("/bureau/draws/{draw_id}/run", response_class=HTMLResponse)
def draw_run(request: Request, st: St, who: Who, draw_id: Annotated[str, PathParam(max_length=64)],
             seed: Annotated[str, Form(max_length=500)] = "", token: Annotated[str, Form()] = "",
             once: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Reveal the seed and draw, as ``credit draw run``; sent twice with one submission id
    (``once``), the second post shows the first's result (a task is drawn once: it used to answer
    409 "已经抽取")."""
    if (out := _signed_out(request, who, 403)) is not None:
        return out
    if not form_ok(request, token):
        return _draws(request, st, who, 403, error=STALE_FORM)
    why = officers.refusal(who, "approve", None)
    if why is not None:
        return _draws(request, st, who, 403, error=f"未记录：{why}")

    def work(conn: Connection) -> str:
        draws_store.run_draw(conn, draw_id, seed.strip(), st.settings, today=st.today())
        return f"/bureau/draws/{quote(draw_id)}?done=run"

    try:
        return recorded_form(st, form_once(request, once, f"/bureau/draws/{draw_id}/run", {"seed": seed}), work)
    except once_.StillRunning:
        return _draws(request, st, who, 409, error=still_running("稍候再次点击“抽取”即显示其结果（不会重复抽取）"),
                      run_form={"draw_id": draw_id, "seed": seed, "once": once.strip()})
    except once_.OtherRequest:
        return _draws(request, st, who, 422, error=f"未抽取：{OTHER_CONTENT}")
    except (DrawRefused, UnknownCalendarYear) as e:
        return _draws(request, st, who, 409, error=f"未抽取：{e}")
