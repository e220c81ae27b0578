"""Bank credit (银行信用) is a grading signal for the bureau only (contracts.md §1; domain.md §11):
every public and consumer answer is walked and none carries a bank-credit field or reason; the
bureau sees the reason on its tier route, and the 双告知 notices through its feed and page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from credit.api import create_app
from credit.api.auth import create_key
from credit.context import NightContext
from credit.contract.sources import CONFIDENTIAL_SOURCES, SOURCES
from credit.notices.night import produce_notices
from tests.db.api.support import (  # noqa: F401
    NAMES,
    A,
    B,
    C,
    D,
    live,
    make_uscc,
    page_token,
    register,
    run_night,
    signed_in,
)

FOOD = make_uscc(40)
# What would betray bank credit: its columns, its reason codes and its wording.
FORBIDDEN = ({c for s in CONFIDENTIAL_SOURCES for c in SOURCES[s].column_names} - {"uscc", "period", "updated_on"}
             | {"bank_credit", "bank_overdue_days", "bank_default", "BANK_OVERDUE", "BANK_DEFAULT", "银行", "贷款",
                "逾期超过", "违约"})


def _seed(live: Any) -> None:  # noqa: F811
    with live.engine.begin() as c:
        for u, n in NAMES.items():
            register(c, u, n)
        register(c, FOOD, "北京好味食品有限公司", established="2026-07-10")
        c.execute(sa.text("update registration set industry_code = 'C14' where uscc = :u"), {"u": FOOD})
        c.execute(sa.text(
            "insert into registration_history (night, change, uscc, name, entity_kind, region_code, industry_code, "
            "established_on, status) select :n, 'new', uscc, name, entity_kind, region_code, industry_code, "
            "established_on, status from registration"), {"n": D("2026-07-15")})
        for u, days, default in ((A, 120, False), (C, 400, True)):
            c.execute(sa.text(
                "insert into bank_credit values (:u, '2026-06', 2, 900000, 300000, :d, :f, '2026-07-05', :n, :n)"),
                {"u": u, "d": days, "f": default, "n": D("2026-07-15")})
    run_night(live.engine, live.settings, "2026-07-15", grade=True)
    with live.engine.begin() as c:
        produce_notices(c, NightContext(D("2026-07-15"), "test-2026-07-15", live.settings))


def _clean(what: str, body: bytes) -> None:
    text = body.decode("utf-8", errors="replace")
    found = sorted(f for f in FORBIDDEN if f in text)
    assert not found, f"{what} carries bank credit: {found}"


def test_no_public_or_consumer_answer_carries_bank_credit(live: Any) -> None:  # noqa: F811
    _seed(live)
    walked: set[tuple[str, str]] = set()

    def call(client: httpx.Client, method: str, route: str, url: str, **kw: Any) -> httpx.Response:
        r = client.request(method, url, **kw)
        assert r.status_code < 500, (url, r.text)
        _clean(f"{method} {url}", r.content)
        walked.add((method, route))
        return r

    with live.client() as pub, live.client("public") as keyed, live.client("consumer") as cons:
        for h in (pub, keyed, cons):
            call(h, "GET", "/healthz", "/healthz")
            call(h, "GET", "/v1/keys/signing", "/v1/keys/signing")
            for u in (A, B, C):
                call(h, "GET", "/v1/entities/{uscc}", f"/v1/entities/{u}")
                call(h, "GET", "/v1/entities/{uscc}", f"/v1/entities/{u}", params={"as_of": "2026-07-15"})
            call(h, "GET", "/v1/entities", "/v1/entities", params={"name": "北京"})
            for roster in ("abnormal", "abnormal_status", "serious"):
                for fmt in ("csv", "json", "parquet"):
                    call(h, "GET", "/v1/rosters/{roster}", f"/v1/rosters/{roster}", params={"format": fmt})
            call(h, "GET", "/v1/inspection-results", "/v1/inspection-results")
            call(h, "GET", "/v1/inspection-results/{task_id}", "/v1/inspection-results/T2026-0001")
            call(h, "GET", "/v1/draws", "/v1/draws")
            call(h, "GET", "/draws", "/draws")
            for name in ("plan.json", "public.json"):
                call(h, "GET", f"/v1/draws/{{draw_id}}/{name}", f"/v1/draws/DRAW-20260701-001/{name}")
            call(h, "GET", "/openapi.json", "/openapi.json")
            for page in ("/docs", "/docs/oauth2-redirect", "/redoc", "/", "/favicon.ico"):
                call(h, "GET", page, page)
            call(h, "GET", "/docs/assets/{name}", "/docs/assets/swagger-init.js")
            call(h, "GET", "/entity", "/entity", params={"uscc": C})
            call(h, "GET", "/bureau", "/bureau")     # not signed in: the sign-in page
        app = call(pub, "POST", "/v1/repair-applications", "/v1/repair-applications",
                   json={"uscc": C, "roster": "abnormal", "grounds": "已补报年报"}).json()
        rct = app["receipt_token"]
        call(pub, "GET", "/v1/repair-applications/{application_id}", f"/v1/repair-applications/{app['id']}",
             params={"token": rct})
        call(pub, "GET", "/v1/receipts/{token}", f"/v1/receipts/{rct}")
        call(pub, "GET", "/applications/{application_id}", f"/applications/{app['id']}", params={"token": rct})
        call(pub, "GET", "/static/site.css", "/static/site.css")
        call(pub, "GET", "/receipts", "/receipts")                   # the forms' addresses reopened: redirects
        call(pub, "GET", "/entity/{uscc}/apply", f"/entity/{A}/apply")
        call(pub, "POST", "/receipts", "/receipts", data={"receipt": rct, "token": page_token(pub, "/")})
        call(pub, "POST", "/entity/{uscc}/apply", f"/entity/{A}/apply",
             data={"roster": "abnormal", "grounds": "已补报年报", "token": page_token(pub, "/")},
             follow_redirects=True)
        cert = call(cons, "POST", "/v1/screenings", "/v1/screenings",
                    json={"usccs": [A, B, C], "as_of": "2026-07-15"}).json()
        call(pub, "POST", "/v1/certificates/verify", "/v1/certificates/verify", json=cert)
        call(cons, "GET", "/v1/decisions", "/v1/decisions")
        call(cons, "GET", "/v1/decisions", "/v1/decisions", params={"after": 0, "limit": 5})
    # A licensing department's key (migration 0038): its notices, and the public's answers.
    with live.engine.begin() as c:
        dept_key = create_key(c, "licensing", "区教育局", "test", department="教育局")[1]
    with httpx.Client(base_url=live.url, headers={"X-API-Key": dept_key}, timeout=60) as lic:
        call(lic, "GET", "/v1/licensing/notices", "/v1/licensing/notices")
        for u in (A, B, C):
            call(lic, "GET", "/v1/entities/{uscc}", f"/v1/entities/{u}")

    # Every route that is not the bureau's was walked: a new public route must join this test.
    routes = {(m, r.path) for r in create_app(live.settings).routes for m in getattr(r, "methods", None) or ()
              if m != "HEAD" and not r.path.startswith(("/v1/bureau", "/bureau/"))
              and r.path != "/metrics"}   # operations: allowed networks or the bureau role (docs/observability.md)
    assert routes - walked == set()

    # The bureau sees the reason on its tier route; the public is refused that route.
    with live.client("bureau") as h:
        r = h.get(f"/v1/bureau/entities/{A}/tier")
        assert "银行贷款逾期超过90天" in [x["text"] for x in r.json()["reasons"]]
        with pytest.raises(AssertionError, match="carries bank credit"):   # the walk's check would see it
            _clean("the bureau's tier", r.content)
    with live.client("consumer") as h:
        assert h.get(f"/v1/bureau/entities/{A}/tier").status_code == 403


def test_bureau_notice_feed_pages_with_a_cursor_and_the_page_lists_them(live: Any) -> None:  # noqa: F811
    _seed(live)
    with live.client("bureau") as h:
        first = h.get("/v1/bureau/notices", params={"limit": 1}).json()
        assert [(n["uscc"], n["department"], n["event_label"]) for n in first["notices"]] == [
            (FOOD, "市场监督管理局（食品生产许可）", "新设登记")]
        assert first["notices"][0]["produced_at"].endswith("+08:00")
        rest = h.get("/v1/bureau/notices", params={"after": first["next_after"]}).json()
        assert rest["notices"] == [] and rest["next_after"] == first["next_after"] and rest["more"] is False
        other = h.get("/v1/bureau/notices", params={"department": "教育局"}).json()
        assert other["notices"] == []
    for role in (None, "public", "consumer"):
        with live.client(role) as h:
            assert h.get("/v1/bureau/notices").status_code in (401, 403)
    with signed_in(live) as h:
        page = h.get("/bureau").text
        assert "双告知" in page and "市场监督管理局（食品生产许可）" in page and FOOD in page
