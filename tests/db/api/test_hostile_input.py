"""What an outside reviewer sent ``credit serve`` (issue: a NUL anywhere was an HTTP 500; the
applicants' addresses answered English JSON; a far-future date had no caveat), on the real server
over PostgreSQL: every refusal is a 422 in the API's shape or a Chinese page, nothing is recorded,
and an answer for a date after the latest published night says so."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.db.api.support import A, C, D, live, page_token, run_night, seed_story  # noqa: F401

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
LATIN = re.compile(r"[A-Za-z]{2,}")


def chinese_page(r: httpx.Response, status: int) -> str:
    """The visible text of ``r``'s main part, which must be a Chinese page with no Latin word."""
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html"), r.text[:500]
    main = r.text.split("<main>", 1)[1].split("</main>", 1)[0]
    text = re.sub(r"<[^>]*>", " ", main)
    assert LATIN.findall(text) == [], text
    assert "Internal Server Error" not in r.text and "Traceback" not in r.text
    return text


def api_refusal(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json"), (r.status_code, r.text)
    [err] = r.json()["detail"]
    assert set(err) >= {"loc", "msg", "type"} and "不允许的字符" in err["msg"]
    return dict(err)


def requests_recorded(service: Any) -> int:
    with service.engine.connect() as c:
        return int(c.execute(sa.text("select count(*) from roster_requests")).scalar_one())


def test_a_nul_anywhere_in_an_api_request_is_a_422_not_a_500(live) -> None:  # noqa: F811
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with live.client() as h:
        assert api_refusal(h.get("/v1/entities", params={"name": "\x00\x00"}))["loc"] == ["query", "name"]
        assert api_refusal(h.get("/v1/inspection-results/%00"))["loc"] == ["path"]
        assert api_refusal(h.get("/v1/entities/" + "%00" * 40))["loc"] == ["path"]
        for body in (f'{{"uscc": "{C}", "roster": "abnormal", "grounds": "x\\u0000"}}',
                     f'{{"uscc": "{C}", "roster": "abnormal", "grounds": "ok", "documents": ["\\u0000"]}}',
                     f'{{"uscc": "{C}", "roster": "abnormal", "grounds": "x\\ud800"}}',     # lone surrogates
                     f'{{"uscc": "{C}", "roster": "abnormal", "grounds": "x\\udc00y"}}',
                     f'{{"uscc": "{C}", "roster": "abnormal", "grounds": "\\u001b[2J清屏"}}',  # control characters
                     f'{{"uscc": "{C}", "roster": "abnormal", "grounds": "ok", "contact": "\\u0007"}}'):
            err = api_refusal(h.post("/v1/repair-applications", content=body,
                                     headers={"content-type": "application/json"}))
            assert err["loc"][0] == "body", err
        # Over-long text keeps its own refusal.
        long = h.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "长" * 5000})
        assert long.status_code == 422 and long.json()["detail"][0]["type"] == "string_too_long"
        # What may be written still is: tab, line breaks, characters outside the BMP.
        ok = h.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal",
                                                     "grounds": "已补报年报\t第一行\r\n第二行 𠀀"})
        assert ok.status_code == 201, ok.text
        assert ok.json()["grounds"] == "已补报年报\t第一行\r\n第二行 𠀀"
    assert requests_recorded(live) == 1


def test_a_nul_in_the_applicants_form_is_a_chinese_page(live) -> None:  # noqa: F811
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with httpx.Client(base_url=live.url, timeout=60, headers=HTML) as h:
        token = page_token(h, f"/entity?uscc={C}")
        form = "application/x-www-form-urlencoded"
        for grounds in ("a%00b", "a%01b", "%1B%5B31m", "a%7Fb"):
            r = h.post(f"/entity/{C}/apply", content=f"roster=abnormal&grounds={grounds}&token={token}",
                       headers={"content-type": form})
            text = chinese_page(r, 422)
            assert "不允许的字符" in text and "返回首页" in text
        r = h.post(f"/entity/{C}/apply", files={"roster": (None, "abnormal"), "grounds": (None, "a\x00b"),
                                                 "token": (None, token)})
        assert "空字符" in chinese_page(r, 422)
        assert "不允许的字符" in chinese_page(h.post("/receipts", data={"receipt": "rct_\x00", "token": token}), 422)
        assert "不允许的字符" in chinese_page(h.get("/entity", params={"uscc": C, "as_of": "\x00"}), 422)
        # A form without a field it needs, or a wrong number in the address: the problem in Chinese.
        assert "名录未填写" in chinese_page(h.post(f"/entity/{C}/apply", data={"grounds": "x", "token": token}), 422)
        assert "申请编号应为数字" in chinese_page(h.get("/applications/abc"), 422)
    assert requests_recorded(live) == 0


def test_a_value_the_database_refuses_is_a_422(live, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """The last resort: a NUL that got past the edge (here: put there by the route itself) is
    refused by psycopg; the caller gets a 422, not a 500."""
    seed_story(live)
    from credit.api import routes

    real = routes.search_registration
    monkeypatch.setattr(routes, "search_registration", lambda conn, name, limit: real(conn, name + "\x00", limit))
    with live.client() as h:
        r = h.get("/v1/entities", params={"name": "北京"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "value_error.data", r.text


def test_applicant_addresses_answer_404_and_405_in_chinese(live) -> None:  # noqa: F811
    seed_story(live)
    with httpx.Client(base_url=live.url, timeout=60, headers=HTML, follow_redirects=False) as h:
        r = h.get("/receipt", params={"token": "rct_x"})
        text = chinese_page(r, 404)
        assert "页面不存在" in text and 'href="/"' in r.text
        # A GET of a form's address (a reload, a bookmark): back to the form, not an error.
        r = h.get("/receipts")
        assert r.status_code == 303 and r.headers["location"] == "/"
        r = h.get(f"/entity/{C}/apply")
        assert r.status_code == 303 and r.headers["location"] == f"/entity?uscc={C}#apply"
        assert h.get("/bureau/login").headers["location"] == "/bureau"
        # Other form addresses: a Chinese page saying to start again.
        r = h.get("/bureau/drafts/1/decision")
        assert "只用于提交表单" in chinese_page(r, 405) and "POST" in r.headers["allow"]
        followed = h.get(f"/entity/{C}/apply", follow_redirects=True)
        assert followed.status_code == 200 and 'id="apply"' in followed.text
    with live.client() as api:   # the API keeps its JSON
        assert api.get("/v1/nothing", headers=HTML).json()["detail"].startswith("未找到该地址")
        assert api.delete("/v1/entities").json()["detail"].endswith("(Method Not Allowed)")


def test_a_date_after_the_latest_published_night_carries_a_caveat(live) -> None:  # noqa: F811
    seed_story(live)    # the night of 2026-07-15, 丙 listed
    with live.client() as h:
        far = h.get(f"/v1/entities/{C}", params={"as_of": "9999-12-31"}).json()
        assert far["listed"] is True and far["data_through"] == "2026-07-15" and far["beyond_data"] is True
        now = h.get(f"/v1/entities/{C}").json()
        assert now["as_of"] == "2026-07-15" and now["beyond_data"] is False
        # a day before the first night is no day the data covers: refused (domain.md §10), not answered
        assert h.get(f"/v1/entities/{C}", params={"as_of": "2026-07-01"}).status_code == 422
        assert h.get(f"/v1/entities/{C}", params={"as_of": "2026-07-15"}).json()["beyond_data"] is False
        # the roster's export keeps the contract's columns; the caveat is in its headers and workbook
        roster = h.get("/v1/rosters/abnormal", params={"as_of": "2030-01-01"})
        assert roster.headers["X-Data-Through"] == "2026-07-15" and roster.headers["X-Beyond-Data"] == "true"
        assert C in [r["uscc"] for r in roster.json()]
        today = h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-15", "format": "xlsx"})
        assert today.headers["X-Beyond-Data"] == "false" and "提示 caveat".encode() not in _sheet_text(today.content)
        later = h.get("/v1/rosters/abnormal", params={"as_of": "2030-01-01", "format": "xlsx"})
        assert "其后批次的决定可能改变本表".encode() in _sheet_text(later.content)
        run_night(live.engine, live.settings, "2026-07-16")
        known = h.get(f"/v1/entities/{C}", params={"as_of": "2026-07-16", "known_at": "2026-07-15"}).json()
        assert known["data_through"] == "2026-07-15" and known["beyond_data"] is True
        page = h.get("/entity", params={"uscc": C, "as_of": "9999-12-31"}, headers=HTML).text
        assert "该主体在 9999-12-31 处于列入状态" in page
        caveat = re.search(r'id="beyond-data">([^<]+)<', page)
        assert caveat is not None and "2026-07-16" in caveat.group(1) and "可能改变该结果" in caveat.group(1)
        assert LATIN.findall(caveat.group(1)) == []
        assert 'id="beyond-data"' not in h.get("/entity", params={"uscc": C}).text
        assert 'id="beyond-data"' not in h.get("/entity", params={"uscc": A, "as_of": "2026-07-16"}).text


def _sheet_text(xlsx: bytes) -> bytes:
    """The shared strings of a workbook (every text cell of every sheet)."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
