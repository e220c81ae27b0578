"""The applicants' page and the bureau page: Chinese, server-rendered, plain HTML forms (no JavaScript).

- ``/``: enter a USCC; ``/entity?uscc=…``: the public status, what each entry needs for repair and
  from which date, the dates the bureau must keep, and the application form;
  ``/applications/{id}``: follow an application.
- ``/bureau``: sign in with a bureau key (kept in an HttpOnly cookie); today's night summary, the
  deadline watch, the latest night's 双告知 notices per licensing department and a link to the
  nightly report.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from credit.api import views
from credit.api.applications import submit_application
from credit.api.auth import Principal, UnknownKey, principal_for
from credit.api.deps import ServiceState, caller, default_as_of, state
from credit.api.models import RepairApplication
from credit.api.validation import normalise_uscc, uscc_problem
from credit.night.read import latest_run
from credit.notices.read import by_department, notices_of_night
from credit.rosters import certificates
from credit.rosters.deadlines import deadline_watch

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
pages = APIRouter(include_in_schema=False)
St = Annotated[ServiceState, Depends(state)]
Who = Annotated[Principal, Depends(caller)]


def _page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, {"labels": views.ROSTER_LABELS, **ctx}, status_code=status)


@pages.get("/", response_class=HTMLResponse)
def index(request: Request, who: Who) -> HTMLResponse:
    return _page(request, "index.html")


@pages.get("/entity", response_class=HTMLResponse)
def entity_page(request: Request, st: St, who: Who, uscc: str = "", as_of: str = "") -> HTMLResponse:
    problem = uscc_problem(uscc) if uscc else "请输入统一社会信用代码"
    if problem:
        return _page(request, "index.html", 422, error=problem, uscc=uscc)
    code = normalise_uscc(uscc)
    with st.connect() as conn:
        try:
            d = date.fromisoformat(as_of) if as_of else default_as_of(conn, st)
        except ValueError:
            return _page(request, "index.html", 422, error=f"日期“{as_of}”格式应为 YYYY-MM-DD", uscc=uscc)
        latest = certificates.latest_data_date(conn) or d
        doc = views.entity_status(conn, st.settings, st.config, code, d, role="public", latest=latest,
                                  today=st.today())
    if not doc["registered"] and not doc["rosters"]:
        return _page(request, "index.html", 404, error=f"未找到统一社会信用代码为 {code} 的主体", uscc=uscc)
    return _page(request, "entity.html", doc=doc, today=st.today().isoformat())


@pages.post("/entity/{uscc}/apply", response_class=HTMLResponse)
def apply_page(request: Request, st: St, who: Who, uscc: str, roster: Annotated[str, Form()],
               grounds: Annotated[str, Form()] = "", documents: Annotated[str, Form()] = "",
               case_no: Annotated[str, Form()] = "") -> Response:
    docs = [line.strip() for line in documents.splitlines() if line.strip()]
    try:
        body = RepairApplication.model_validate({"uscc": uscc, "roster": roster, "grounds": grounds.strip(),
                                                  "documents": docs, "case_no": case_no.strip() or None})
    except ValidationError as e:
        msgs = "；".join(f"{'/'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors())
        return _entity_with_error(request, st, uscc, f"申请未提交：请填写申请理由 ({msgs})")
    try:
        out = submit_application(st, body, st.today(), "page", who, recorded_by="online:page")
    except HTTPException as e:
        return _entity_with_error(request, st, uscc, f"申请未提交：{e.detail}", e.status_code)
    return RedirectResponse(f"/applications/{out['id']}", status_code=303)


def _entity_with_error(request: Request, st: ServiceState, uscc: str, error: str, status: int = 422) -> HTMLResponse:
    code = normalise_uscc(uscc)
    if uscc_problem(code):
        return _page(request, "index.html", 422, error=uscc_problem(code), uscc=uscc)
    with st.connect() as conn:
        d = default_as_of(conn, st)
        doc = views.entity_status(conn, st.settings, st.config, code, d, role="public",
                                  latest=certificates.latest_data_date(conn) or d, today=st.today())
    return _page(request, "entity.html", status, doc=doc, error=error, today=st.today().isoformat())


@pages.get("/applications/{application_id}", response_class=HTMLResponse)
def application_page(request: Request, st: St, who: Who, application_id: int) -> HTMLResponse:
    with st.connect() as conn:
        doc = views.application_status(conn, application_id, st.settings) if 0 < application_id < 2**62 else None
    if doc is None or doc["kind"] != "repair":
        return _page(request, "index.html", 404, error=f"没有编号为 {application_id} 的修复申请")
    return _page(request, "application.html", app=doc)


# ------------------------------------------------------------------------------------------ bureau
@pages.get("/bureau", response_class=HTMLResponse)
def bureau_page(request: Request, st: St, who: Who) -> HTMLResponse:
    if not who.allows("bureau"):
        return _page(request, "bureau_login.html")
    within = int((st.config.get("deadline_watch") or {}).get("within_wd", 10))
    today = st.today()
    with st.connect() as conn:
        night = latest_run(conn)
        watch = deadline_watch(conn, today, within, st.settings)
        # 双告知: the latest night's notices per licensing department
        notices = by_department(notices_of_night(conn, night["night"], None, ZoneInfo(
            str(st.config.get("timezone", "Asia/Shanghai"))))) if night is not None else {}
    report = None
    if night is not None and (st.settings.reports_dir / night["night"].isoformat() / "index.html").is_file():
        report = f"/bureau/report/{night['night'].isoformat()}"
    return _page(request, "bureau.html", who=who, night=night, report=report, notices=notices,
                 watch=watch.astype(object).where(watch.notna(), None).to_dict("records"), within=within, today=today.isoformat())


@pages.post("/bureau/login", response_class=HTMLResponse)
def bureau_login(request: Request, st: St, key: Annotated[str, Form()] = "") -> Response:
    try:
        with st.connect() as conn:
            who = principal_for(conn, key) if key.strip() else None
    except UnknownKey:
        who = None
    if who is None or not who.allows("bureau"):
        return _page(request, "bureau_login.html", 401, error="密钥无效或不是监管部门角色 (not a bureau key)")
    resp = RedirectResponse("/bureau", status_code=303)
    resp.set_cookie("credit_key", key.strip(), httponly=True, samesite="strict", path="/")
    return resp


@pages.post("/bureau/logout")
def bureau_logout() -> Response:
    resp = RedirectResponse("/bureau", status_code=303)
    resp.delete_cookie("credit_key", path="/")
    return resp


@pages.get("/bureau/report/{night}")
def bureau_report(st: St, who: Who, night: str) -> Response:
    if not who.allows("bureau"):
        raise HTTPException(403, "需要监管部门角色 (bureau role needed)")
    try:
        d = date.fromisoformat(night)
    except ValueError:
        raise HTTPException(422, "night is YYYY-MM-DD") from None
    path = st.settings.reports_dir / d.isoformat() / "index.html"
    if not path.is_file():
        raise HTTPException(404, f"{d} 没有夜间报告 (no report for that night)")
    return FileResponse(path, media_type="text/html; charset=utf-8")
