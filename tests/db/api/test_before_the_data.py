"""Answers dated before the system's first night, or after the record asked for (s35, an outsider's
acceptance pass), and the USCC check on every route.

domain.md §10: a status "as of" a date needs our own history, and there is none before the first
night — the rosters then are unknown to the system, not empty. On main a screening for a day
before the first night was certified "registered, not listed" (and verified valid), the entity
look-up answered ``listed: false`` and the roster export an empty roster. A screening with
``known_at`` K and ``as_of`` after night K certified a day the record of K did not cover.

Story (tests.db.api.support): the first night is 2026-07-15 (甲 A and 丙 C listed); a second
night 2026-07-16 is run here."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from credit.api import create_app
from credit.api.validation import uscc_problem
from credit.api.wording import for_public
from credit.settings import Settings
from tests.db.api.support import A, C, live, page_token, run_night, seed_story  # noqa: F401

FIRST = "早于本系统的第一个批次 2026-07-15"
BEFORE = ("2026-07-14", "2020-01-01", "0001-01-01")


def _two_nights(live) -> None:  # noqa: F811
    seed_story(live)
    run_night(live.engine, live.settings, "2026-07-16")
    live.clock["today"] = live.clock["today"].replace(day=17)


def _detail(r: httpx.Response) -> str:
    return str(r.json()["detail"])


def test_no_certificate_before_the_first_night(live) -> None:  # noqa: F811
    _two_nights(live)
    with live.client("consumer") as h:
        for day in BEFORE:
            r = h.post("/v1/screenings", json={"usccs": [A, C], "as_of": day})
            assert r.status_code == 422, (day, r.text)
            assert FIRST in _detail(r) and "is before the system's first night" in _detail(r)
        ok = h.post("/v1/screenings", json={"usccs": [A, C], "as_of": "2026-07-15"})
        assert ok.status_code == 200, ok.text
        assert [x["listed"] for x in ok.json()["results"]] == [True, True]
        # after the data: refused as before
        late = h.post("/v1/screenings", json={"usccs": [A], "as_of": "2026-07-17"})
        assert late.status_code == 422 and "无法证明尚未发生的情况" in _detail(late)


def test_no_certificate_for_a_day_after_the_record_asked_for(live) -> None:  # noqa: F811
    _two_nights(live)
    with live.client("consumer") as h:
        r = h.post("/v1/screenings", json={"usccs": [A], "as_of": "2026-07-16", "known_at": "2026-07-15"})
        assert r.status_code == 422, r.text
        assert "晚于所依据记录的批次 2026-07-15" in _detail(r) and "known_at" in _detail(r)
        ok = h.post("/v1/screenings", json={"usccs": [A], "as_of": "2026-07-15", "known_at": "2026-07-15"})
        assert ok.status_code == 200, ok.text
        assert ok.json()["query"]["known_at"]["night"] == "2026-07-15"
        same = h.post("/v1/screenings", json={"usccs": [A], "as_of": "2026-07-16", "known_at": "2026-07-16"})
        assert same.status_code == 200, same.text


@pytest.mark.parametrize("role", [None, "consumer", "bureau"])
def test_lookups_before_the_first_night_are_refused(live, role: str | None) -> None:  # noqa: F811
    _two_nights(live)
    with live.client(role) as h:
        for day in BEFORE:
            r = h.get(f"/v1/entities/{A}", params={"as_of": day})
            assert r.status_code == 422 and FIRST in _detail(r), (day, r.text)
            r = h.get(f"/v1/entities/{A}", params={"as_of": day, "known_at": "2026-07-16"})
            assert r.status_code == 422 and FIRST in _detail(r), (day, r.text)
            for fmt in ("json", "csv"):
                r = h.get("/v1/rosters/abnormal", params={"as_of": day, "format": fmt})
                assert r.status_code == 422 and FIRST in _detail(r), (day, fmt, r.text)
        # the first night itself, and the default date, answer
        doc = h.get(f"/v1/entities/{A}", params={"as_of": "2026-07-15"}).json()
        assert doc["listed"] is True and doc["beyond_data"] is False
        assert h.get(f"/v1/entities/{A}").status_code == 200
        r = h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-15", "format": "json"})
        assert r.status_code == 200 and r.headers["X-Beyond-Data"] == "false"


def test_the_public_page_refuses_a_date_before_the_first_night(live) -> None:  # noqa: F811
    _two_nights(live)
    with httpx.Client(base_url=live.url, timeout=60) as h:
        r = h.get("/entity", params={"uscc": A, "as_of": "2020-01-01"})
        assert r.status_code == 422
        assert "查询日期 2020-01-01 早于本系统的第一个批次 2026-07-15" in r.text and "unknown here" not in r.text
        assert h.get("/entity", params={"uscc": A, "as_of": "2026-07-15"}).status_code == 200


# ------------------------------------------------------------------------------- the USCC check
BAD = "91330100522467994X"     # check character should be N
PROBLEM = uscc_problem(BAD) or ""


def _calls(live) -> dict[str, Any]:  # noqa: F811
    """One call per route taking a USCC, with the bad code; each returns the response."""
    def page_apply() -> httpx.Response:
        with httpx.Client(base_url=live.url, timeout=60) as h:
            token = page_token(h, "/")
            return h.post(f"/entity/{BAD}/apply", data={"roster": "abnormal", "grounds": "已整改", "token": token})

    def anon(method: str, path: str, **kw: Any) -> httpx.Response:
        with httpx.Client(base_url=live.url, timeout=60, follow_redirects=True) as h:
            return h.request(method, path, **kw)

    def keyed(role: str, method: str, path: str, **kw: Any) -> httpx.Response:
        with live.client(role) as h:
            return h.request(method, path, **kw)

    application = {"uscc": BAD, "roster": "abnormal", "grounds": "已整改"}
    return {
        "GET /v1/entities/{uscc}": lambda: anon("GET", f"/v1/entities/{BAD}"),
        "POST /v1/repair-applications": lambda: anon("POST", "/v1/repair-applications", json=application),
        "POST /v1/screenings": lambda: keyed("consumer", "POST", "/v1/screenings",
                                             json={"usccs": [BAD], "as_of": "2026-07-15"}),
        "GET /v1/bureau/entities/{uscc}/tier": lambda: keyed("bureau", "GET", f"/v1/bureau/entities/{BAD}/tier"),
        "POST /v1/bureau/repair-applications": lambda: keyed("bureau", "POST", "/v1/bureau/repair-applications",
                                                             json={**application, "received_on": "2026-07-16"}),
        "GET /v1/bureau/serious/procedures": lambda: keyed("bureau", "GET", "/v1/bureau/serious/procedures",
                                                           params={"uscc": BAD}),
        # the case's entity named beside the case number (corr2): checked before the case is looked up
        "POST /v1/bureau/serious/{case}/assessment": lambda: keyed(
            "bureau", "POST", "/v1/bureau/serious/P1/assessment",
            json={"on": "2026-07-16", "intent": "intentional", "frequency": "1次", "harm": "危害", "outcome": "list",
                  "uscc": BAD}),
        "POST /v1/bureau/serious/{case}/consent": lambda: keyed(
            "bureau", "POST", "/v1/bureau/serious/P1/consent",
            json={"on": "2026-07-16", "authority": "某市市场监督管理局", "consented_on": "2026-07-16",
                  "document_no": "某市监〔2026〕1号", "uscc": BAD}),
        "GET /entity": lambda: anon("GET", "/entity", params={"uscc": BAD}),
        "POST /entity/{uscc}/apply": page_apply,
        "GET /entity/{uscc}/apply": lambda: anon("GET", f"/entity/{BAD}/apply"),
    }


def test_every_route_taking_a_uscc_is_in_the_list(settings: Settings) -> None:
    taking = set()
    for r in create_app(settings).routes:
        d = getattr(r, "dependant", None)
        if d is None:
            continue
        for p in d.path_params + d.query_params + d.body_params:
            fields = getattr(getattr(p.field_info, "annotation", None), "model_fields", {})
            if p.name == "uscc" or {"uscc", "usccs"} & set(fields):
                taking |= {f"{m} {r.path}" for m in r.methods}
    assert taking == set(_calls(None))


def test_every_route_refuses_a_malformed_uscc_alike(live) -> None:  # noqa: F811
    _two_nights(live)
    assert PROBLEM.startswith("校验码错误：第18位应为“N”，收到“X”")
    for route, call in _calls(live).items():
        r = call()
        assert r.status_code == 422, (route, r.status_code, r.text)
        if r.headers["content-type"].startswith("application/json"):
            assert PROBLEM in str(r.json()["detail"]), (route, r.text)
        else:   # a page: the same words, Chinese only
            assert for_public(PROBLEM) in r.text, (route, r.text)
