"""The edge of the service (credit.api.errors), without a database: hostile text is refused with a
422 before any route runs, a value the database refuses is a 422 rather than a 500, and refusals
read as Chinese pages on page addresses and as the API's JSON on /v1."""

from __future__ import annotations

import re
from typing import Annotated, Any

import psycopg
import pytest
import sqlalchemy.exc
from fastapi import FastAPI, Form, HTTPException
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from credit.api import errors
from credit.api.security import SecurityMiddleware


class Body(BaseModel):
    grounds: str
    documents: list[str] = []


class Limited(BaseModel):
    grounds: str = Field(min_length=1, max_length=2000)   # a constrained str refuses a lone surrogate


def _app() -> tuple[FastAPI, list[Any]]:
    """A tiny app with the edge installed: routes record what reached them."""
    seen: list[Any] = []
    app = FastAPI()

    @app.get("/v1/things")
    def things(name: str = "") -> dict[str, str]:
        seen.append(name)
        return {"name": name}

    @app.post("/v1/things")
    def make(body: Body) -> dict[str, Any]:
        seen.append(body)
        return body.model_dump()

    @app.post("/form")
    def form(grounds: Annotated[str, Form()]) -> dict[str, str]:
        seen.append(grounds)
        return {"grounds": grounds}

    @app.get("/v1/store")
    def store() -> None:
        raise sqlalchemy.exc.DataError("insert …", {}, psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"))

    @app.get("/store")
    def store_page() -> None:
        raise sqlalchemy.exc.DataError("select …", {}, psycopg.DataError("date out of range"))

    @app.get("/v1/encode")
    def encode() -> None:
        "x\ud800".encode("utf-8")

    @app.get("/v1/missing")
    def missing() -> None:
        raise HTTPException(404, "没有这个 (no such thing)")

    @app.post("/twice")
    def twice_post() -> None: ...

    @app.get("/twice")
    def twice_get() -> None: ...

    @app.get("/page", response_class=HTMLResponse)
    def page() -> str:
        return "<html><body><main>查询</main></body></html>"

    errors.install(app)
    app.add_middleware(SecurityMiddleware, max_body_bytes=200)
    return app, seen


@pytest.fixture()
def client() -> tuple[TestClient, list[Any]]:
    app, seen = _app()
    return TestClient(app, raise_server_exceptions=False), seen


def _chinese_page(r: Any, status: int) -> str:
    assert r.status_code == status and r.headers["content-type"].startswith("text/html"), r.text
    main = r.text.split("<main>")[1].split("</main>")[0]
    assert "Traceback" not in r.text and re.findall(r"(?<![<\w/\"=-])[A-Za-z]{2,}(?![\w\"=>-])", re.sub(r"<[^>]*>", " ", main)) == []
    return str(r.text)


@pytest.mark.parametrize("text, bad", [("a\x00b", "\x00"), ("\ud800", "\ud800"), ("x\udc00y", "\udc00"),
                                       ("\x1b[31m", "\x1b"), ("del\x7f", "\x7f"), ("ok\t\r\n中文😀", None)])
def test_bad_char_finds_nul_surrogates_and_controls_but_spares_text(text: str, bad: str | None) -> None:
    assert errors.bad_char(text) == bad


def test_json_escapes_are_decoded_before_judging() -> None:
    assert errors.bad_in_json(b'{"grounds": "x\\u0000"}') == errors.BadText(("body", "grounds"), "x\x00", "\x00")
    assert errors.bad_in_json(b'{"documents": ["ok", "\\ud800"]}') is not None
    assert errors.bad_in_json(b'{"k\\u0001": 1}') is not None                      # keys too
    assert errors.bad_in_json(b'{"grounds": "\\ud83d\\ude00 \\u4e2d"}') is None     # a surrogate pair is one character
    assert errors.bad_in_json(b'{"grounds": "x\\\\u0000"}') is None                 # an escaped backslash, then text
    assert errors.bad_in_json(b'{"broken": ') is None                               # FastAPI refuses invalid JSON itself


@pytest.mark.parametrize("url", ["/v1/things?name=%00%00", "/v1/things?name=a%01b", "/v1/things?na%00me=x",
                                 "/v1/th%00ings"])
def test_a_forbidden_character_in_the_url_is_a_422_in_the_api_shape(client: Any, url: str) -> None:
    h, seen = client
    r = h.get(url)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json"), r.text
    [err] = r.json()["detail"]
    assert err["type"] == "value_error.text" and err["loc"][0] in ("query", "path")
    assert "不允许的字符" in err["msg"] and "not allowed" in err["msg"]
    assert seen == []


@pytest.mark.parametrize("body", ['{"grounds": "x\\u0000"}', '{"grounds": "x\\ud800"}', '{"grounds": "x\\udc00y"}',
                                  '{"grounds": "ok", "documents": ["\\u0000"]}', '{"grounds": "\\u001b[2J"}'])
def test_a_forbidden_character_in_a_json_string_is_a_422(client: Any, body: str) -> None:
    h, seen = client
    r = h.post("/v1/things", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    [err] = r.json()["detail"]
    assert err["loc"][0] == "body" and err["type"] == "value_error.text" and "\\u" in err["input"]
    assert seen == []


def test_ordinary_text_passes_and_reaches_the_route_unchanged(client: Any) -> None:
    h, seen = client
    r = h.post("/v1/things", json={"grounds": "已补报\t年报\n😀", "documents": ["守信承诺书"]})
    assert r.status_code == 200 and r.json()["grounds"] == "已补报\t年报\n😀"
    r = h.post("/form", data={"grounds": "第一行\r\n第二行"})
    assert r.status_code == 200 and r.json()["grounds"] == "第一行\r\n第二行"
    assert h.get("/v1/things", params={"name": "杭州"}).json() == {"name": "杭州"}


def test_a_lone_surrogate_refused_by_pydantic_is_answered_not_crashed() -> None:
    """Pydantic refuses a lone surrogate in a str field, and FastAPI's own 422 echoed it back:
    the answer could not be encoded and the connection dropped. Without the text check, the
    validation answer still goes out, the surrogate escaped."""
    app = FastAPI()

    @app.post("/v1/things")
    def make(body: Limited) -> None:
        raise AssertionError("not reached")

    app.add_exception_handler(errors.RequestValidationError, errors.on_invalid_request)
    r = TestClient(app).post("/v1/things", content='{"grounds": "x\\ud800"}', headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["input"] == "x\\ud800"


@pytest.mark.parametrize("content, ctype", [("grounds=a%00b", "application/x-www-form-urlencoded"),
                                            ("grounds=a%01b", "application/x-www-form-urlencoded")])
def test_a_forbidden_character_in_a_form_is_a_chinese_page(client: Any, content: str, ctype: str) -> None:
    h, seen = client
    r = h.post("/form", content=content, headers={"content-type": ctype, "accept": "text/html"})
    assert "提交的内容含有不允许的字符" in _chinese_page(r, 422)
    r = h.post("/form", files={"grounds": (None, "a\x00b")}, headers={"accept": "text/html"})   # multipart too
    assert "空字符" in _chinese_page(r, 422)
    assert seen == []


def test_a_value_the_database_refuses_is_a_422_not_a_500(client: Any) -> None:
    h, _ = client
    r = h.get("/v1/store")
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "value_error.data"
    assert "PostgreSQL" not in r.text     # the database's own message stays in the log
    assert "超出范围" in _chinese_page(h.get("/store", headers={"accept": "text/html"}), 422)
    assert h.get("/v1/encode").status_code == 422


def test_page_addresses_answer_404_and_405_in_chinese_and_the_api_keeps_json(client: Any) -> None:
    h, _ = client
    page = _chinese_page(h.get("/receipt", headers={"accept": "text/html,application/xhtml+xml"}), 404)
    assert "页面不存在" in page and 'href="/"' in page
    assert "页面不存在" in _chinese_page(h.get("/receipt"), 404)                 # curl's */*: the page too
    r = h.get("/form", headers={"accept": "text/html"})
    assert "只用于提交表单" in _chinese_page(r, 405) and r.headers["allow"] == "POST"
    assert h.get("/bureau/nothing", headers={"accept": "text/html"}).text.count('href="/bureau"') >= 1
    # The API keeps its JSON shape, {"detail": "…"}, worded as its other refusals: Chinese, then English.
    assert h.get("/receipt", headers={"accept": "application/json"}).json() == {"detail": NOT_FOUND}
    assert h.get("/v1/nothing", headers={"accept": "text/html"}).json() == {"detail": NOT_FOUND}
    r = h.delete("/v1/things")
    assert r.json() == {"detail": "该地址不接受 DELETE 请求，可用的请求方法：GET, HEAD, POST (Method Not Allowed)"}
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, POST"


NOT_FOUND = "未找到该地址：请核对请求路径（接口清单见 /docs） (Not Found)"


def test_the_api_answers_404_and_405_in_chinese_first(client: Any) -> None:
    """A consumer's program reads a refusal's ``detail``: for an unknown address or a method the
    address does not take it was Starlette's English alone ("Not Found"), unlike every other
    refusal of the API ("中文 (English)", docs/api.md). A route's own detail is left as it is."""
    h, _ = client
    for r in (h.get("/v1/nothing"), h.post("/v1/nothing", json={}), h.put("/v1/things", json={}),
              h.get("/healthz/x"), h.get("/form", headers={"accept": "application/json"})):
        assert r.status_code in (404, 405) and r.headers["content-type"] == "application/json"
        detail = r.json()["detail"]
        assert set(r.json()) == {"detail"} and errors.CJK.match(detail), detail
        assert detail.endswith(("(Not Found)", "(Method Not Allowed)"))
    assert h.get("/v1/missing").json() == {"detail": "没有这个 (no such thing)"}


def test_a_page_asked_with_a_method_it_does_not_take_is_not_called_a_form(client: Any) -> None:
    """``DELETE /entity`` (a page's address) answered "这个地址只用于提交表单" — it is not a form's."""
    h, _ = client
    r = h.request("OPTIONS", "/page", headers={"accept": "text/html"})
    page = _chinese_page(r, 405)
    assert "只用于提交表单" not in page and "不接受这种请求方式" in page
    assert r.headers["allow"] == "GET, HEAD"
    assert "只用于提交表单" in _chinese_page(h.get("/form", headers={"accept": "text/html"}), 405)


def test_head_is_answered_wherever_get_is(client: Any) -> None:
    """RFC 9110 §9.3.2: HEAD is GET without the content. A monitor's ``HEAD /healthz`` and a
    browser's ``HEAD /entity`` were a 405 (FastAPI routes no HEAD), the page saying the address
    only takes a form."""
    h, seen = client
    got = h.get("/v1/things", params={"name": "甲"})
    r = h.head("/v1/things", params={"name": "甲"})
    assert r.status_code == 200 and r.content == b"" and seen == ["甲", "甲"]
    assert r.headers["content-length"] == got.headers["content-length"] != "0"
    page = h.head("/page", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.content == b"" and page.headers["content-type"].startswith("text/html")
    assert h.head("/v1/nothing").status_code == 404
    r = h.head("/form", headers={"accept": "application/json"})
    assert r.status_code == 405 and r.headers["allow"] == "POST" and r.content == b""
    assert errors.api_detail(_Asked({"method": "GET", errors.HEAD_ASKED: True}), StarletteHTTPException(
        405, "Method Not Allowed", {"Allow": "POST"})) == "该地址不接受 HEAD 请求，可用的请求方法：POST (Method Not Allowed)"


class _Asked:
    """What :func:`errors.api_detail` reads of a request."""

    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope
        self.method = scope["method"]


def test_a_405_names_every_method_of_its_address(client: Any) -> None:
    """Starlette's Allow named the first route's methods only: an address served by two routes
    (``/receipts``: GET redirects to the form, POST looks the receipt up) answered Allow: POST."""
    h, _ = client
    r = h.put("/twice", headers={"accept": "application/json"})
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, POST"


def test_a_body_over_the_limit_is_still_refused_outside_the_text_check(client: Any) -> None:
    h, seen = client
    r = h.post("/v1/things", json={"grounds": "x" * 500})
    assert r.status_code == 413 and seen == []


def test_wants_page() -> None:
    assert errors.wants_page("/entity/X/apply", "text/html") and errors.wants_page("/receipt", None)
    assert not errors.wants_page("/receipt", "application/json")
    for path in ("/v1/entities", "/healthz", "/metrics", "/openapi.json", "/docs"):
        assert not errors.wants_page(path, "text/html")


def test_a_query_parameter_given_twice_is_refused_not_read_as_its_last_value(client: Any) -> None:
    """``?as_of=2026-07-01&as_of=2026-07-15`` answered as of the 15th, the caller perhaps meaning the
    1st: no route takes a list in its query, so a repeated parameter is a 422 naming it, on /v1 in
    the API's shape (Chinese first), on a page as a Chinese page; once is as before."""
    h, seen = client
    r = h.get("/v1/things?name=a&name=b")
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json"), r.text
    [err] = r.json()["detail"]
    assert err["loc"] == ["query", "name"] and err["input"] == ["a", "b"] and err["type"] == "value_error.repeated"
    assert err["msg"].startswith("查询参数 name 出现了 2 次，只能给一次") and "given 2 times" in err["msg"]
    assert seen == []
    page = _chinese_page(h.get("/page?as_of=2026-07-01&as_of=2026-07-15", headers={"accept": "text/html"}), 422)
    assert "查询参数 as_of 出现了 2 次" in page
    assert h.get("/v1/things?name=a&other=b").json() == {"name": "a"} and seen == ["a"]
