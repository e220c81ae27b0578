"""The edge of ``credit serve``: what no request may carry, and how every refusal reads.

- **Text a request may not carry** (:class:`TextInputMiddleware`): a NUL (U+0000, PostgreSQL text
  cannot hold it), a lone surrogate (U+D800–U+DFFF, not encodable in UTF-8) or another control
  character (C0 other than tab, line feed and carriage return; DEL) anywhere in the path, the query,
  a form field (URL-encoded or multipart) or a JSON string (keys included) is refused with HTTP 422
  before any route runs — checked once, on the values as the application would decode them, not
  endpoint by endpoint.
- **Who reads the refusal** (:func:`wants_page`): the JSON API (``/v1/…``, ``/healthz``,
  ``/metrics``, the OpenAPI pages) answers in its usual shape, ``{"detail": [{"loc", "msg",
  "type", …}]}`` for a 422; the applicants' and the bureau's pages answer a browser with a page in
  Chinese (``error.html``): 页面不存在 for an unknown address, an explanation for a form address
  opened without its form (HTTP 405), the refusal's Chinese wording otherwise — never English
  JSON, never a traceback. The API's own 404 and 405 (Starlette's bare "Not Found", "Method Not
  Allowed") are worded as its other refusals, Chinese first (:func:`api_detail`), and a 405's
  ``Allow`` names every method of the address (:func:`allowed_methods`).
- **HEAD** (:class:`HeadAsGet`): answered wherever GET is, without the body.
- **The last resort** (:func:`install`): a value PostgreSQL still refuses (``DataError``: NUL,
  a date or number out of range, a string too long for its column) or a string that cannot be
  encoded (``UnicodeEncodeError``) is a 422 of the same two kinds, not a 500; the refusal is
  logged for the operator.
"""

from __future__ import annotations

import http
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credit.api.wording import CJK, for_public, form_problems
from credit.clock import DAY_PROBLEM_ZH

log = logging.getLogger("credit.api")

# Paths whose callers are programs: they keep JSON errors. Everything else is a page.
API_PREFIXES = ("/v1/", "/healthz", "/metrics", "/openapi.json", "/docs", "/redoc", "/static/")

# NUL, the other C0 controls but tab, LF and CR, DEL, and UTF-16 surrogates (only ever lone in a
# Python str: a pair decodes to one code point).
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_PAGES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                     autoescape=select_autoescape(default=True))


def is_api_path(path: str) -> bool:
    """Whether ``path`` belongs to the JSON API rather than to the pages."""
    return path == "/v1" or path.startswith(API_PREFIXES)


def wants_page(path: str, accept: str | None) -> bool:
    """Whether a refusal at ``path`` is answered with a Chinese page: a page address, asked by a
    client that does not want JSON only (a browser sends ``text/html``; ``curl`` sends ``*/*``)."""
    if is_api_path(path):
        return False
    a = (accept or "").lower()
    return "text/html" in a or "application/json" not in a


# ------------------------------------------------------------------------------------------ text
@dataclass(frozen=True)
class BadText:
    """Where a request carries a character it may not, and which one."""

    loc: tuple[str | int, ...]
    value: str
    char: str

    @property
    def what(self) -> str:
        """The character in words (Chinese, with its code point)."""
        code = ord(self.char)
        if code == 0:
            return "空字符（U+0000）"
        if 0xD800 <= code <= 0xDFFF:
            return f"不成对的代理码位（U+{code:04X}）"
        return f"控制字符（U+{code:04X}）"

    def api_detail(self) -> list[dict[str, Any]]:
        """The refusal in the API's 422 shape (FastAPI's ``detail`` list)."""
        field = "/".join(str(x) for x in self.loc)
        return [{"type": "value_error.text", "loc": list(self.loc), "input": printable(self.value[:200]),
                 "msg": f"{field} 含有不允许的字符：{self.what} ({field} contains a character that is not "
                        f"allowed: U+{ord(self.char):04X}; NUL, lone surrogates and control characters other "
                        f"than tab, line feed and carriage return are refused)"}]


def bad_char(text: str) -> str | None:
    """The first character of ``text`` a request may not carry, or None."""
    m = FORBIDDEN.search(text)
    return m.group(0) if m else None


def printable(text: str) -> str:
    """``text`` with its forbidden characters written as ``\\uXXXX`` (safe to echo in JSON and HTML)."""
    return FORBIDDEN.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _first_bad(items: Iterable[tuple[tuple[str | int, ...], str]]) -> BadText | None:
    for loc, value in items:
        ch = bad_char(value)
        if ch is not None:
            return BadText(loc, value, ch)
    return None


def _json_strings(doc: Any, loc: tuple[str | int, ...]) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Every string of a JSON document (keys too) with where it stands."""
    if isinstance(doc, str):
        yield loc, doc
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield (*loc, k), k
            yield from _json_strings(v, (*loc, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _json_strings(v, (*loc, i))


def bad_in_url(scope: Scope) -> BadText | None:
    """A forbidden character in the path or in a query parameter (as Starlette decodes them)."""
    path = str(scope.get("path", ""))
    if (ch := bad_char(path)) is not None:
        return BadText(("path",), path, ch)
    query = QueryParams(scope.get("query_string", b""))
    return _first_bad(item for k, v in query.multi_items() for item in ((("query", k), k), (("query", k), v)))


def repeated_in_query(scope: Scope) -> tuple[str, list[str]] | None:
    """A query parameter given more than once (``?as_of=2026-07-01&as_of=2026-07-15``), with its
    values. No route takes a list in its query: Starlette keeps the last value and the answer was
    for a date, a USCC or a page the caller may not have meant."""
    seen: dict[str, list[str]] = {}
    for k, v in QueryParams(scope.get("query_string", b"")).multi_items():
        seen.setdefault(k, []).append(v)
    return next(((k, vs) for k, vs in seen.items() if len(vs) > 1), None)


def repeated_refusal(scope: Scope, name: str, values: list[str]) -> Response:
    """The 422 for a repeated query parameter: a Chinese page for a page address, the API's shape otherwise."""
    shown = printable(name[:60])
    zh = f"查询参数 {shown} 出现了 {len(values)} 次，只能给一次"
    if wants_page(str(scope.get("path", "")), Headers(scope=scope).get("accept")):
        return error_page(422, "提交的内容有误", f"{zh}。请核对地址后重试。", path=str(scope.get("path", "")))
    return safe_json({"detail": [{"type": "value_error.repeated", "loc": ["query", name[:200]],
                                  "input": [printable(v[:200]) for v in values[:10]],
                                  "msg": f"{zh} (query parameter {shown} given {len(values)} times: give it once)"}]},
                     422)


def bad_in_json(body: bytes) -> BadText | None:
    """A forbidden character in a JSON body's strings. Raw control characters and broken UTF-8 make
    the body invalid JSON, which FastAPI refuses itself: only escapes (``\\u0000``, ``\\ud800``)
    and a raw DEL can bring one into a string."""
    if b"\\u" not in body and b"\x7f" not in body:
        return None
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    return _first_bad(_json_strings(doc, ("body",)))


async def bad_in_form(scope: Scope, body: bytes) -> BadText | None:
    """A forbidden character in a form's field names or values, parsed by Starlette as the route will."""
    from starlette.requests import Request as StarletteRequest

    async def once() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await StarletteRequest(scope, once).form()
    except (MultiPartException, ValueError, KeyError):
        return None    # the route meets the same error and answers it
    try:
        return _first_bad(item for k, v in form.multi_items()
                          for item in ((("body", k), k),) + (((("body", k), v),) if isinstance(v, str) else ()))
    finally:
        await form.close()    # closes its uploads


class TextInputMiddleware:
    """Refuses (HTTP 422) a request carrying a forbidden character in its path, query, form or JSON
    body, or a query parameter given twice (pure ASGI). A body is read whole — within ``security.max_body_bytes``, which
    :class:`credit.api.security.SecurityMiddleware` enforces outside this one — and handed on as it came."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bad = bad_in_url(scope)
        if bad is not None:
            await refusal(scope, bad)(scope, receive, send)
            return
        if (repeated := repeated_in_query(scope)) is not None:
            await repeated_refusal(scope, *repeated)(scope, receive, send)
            return
        kind = _body_kind(scope)
        if kind is None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return     # the client left, or the body was refused as too big (answered outside)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        bad = bad_in_json(body) if kind == "json" else await bad_in_form(scope, body)
        if bad is not None:
            await refusal(scope, bad)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


#: Set in the scope of a HEAD request passed on as a GET: a refusal names the method asked.
HEAD_ASKED = "credit.head"


class HeadAsGet:
    """Answers ``HEAD`` at every address that answers ``GET`` (RFC 9110 §9.3.2: a HEAD is the GET
    without its content): the request goes on as a GET, and the answer's status and headers
    (``Content-Length`` included) go back without the body. FastAPI routes a GET route's HEAD
    nowhere: a monitor's ``HEAD /healthz`` was a 405, and ``HEAD /entity`` a page saying the
    address only takes a form (pure ASGI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET", HEAD_ASKED: True}, receive, headers_only)


def _body_kind(scope: Scope) -> str | None:
    """``form`` or ``json`` for a state-changing request whose body the routes decode, else None."""
    if scope.get("method") not in UNSAFE:
        return None
    ctype = (Headers(scope=scope).get("content-type") or "").split(";")[0].strip().lower()
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return "form"
    # FastAPI decodes a body as JSON without a content type, or with application/json or …+json.
    if not ctype or ctype == "application/json" or (ctype.startswith("application/") and ctype.endswith("+json")):
        return "json"
    return None


def refusal(scope: Scope, bad: BadText) -> Response:
    """The 422 for ``bad``: a Chinese page for a page address, the API's shape otherwise."""
    if wants_page(str(scope.get("path", "")), Headers(scope=scope).get("accept")):
        return error_page(422, "提交的内容有误",
                          f"提交的内容含有不允许的字符：{bad.what}。请删除该字符后重新填写。", path=str(scope.get("path", "")))
    return safe_json({"detail": bad.api_detail()}, 422)


# ----------------------------------------------------------------------------------------- pages
def error_page(status: int, heading: str, message: str, *, path: str = "/",
               headers: dict[str, str] | None = None) -> HTMLResponse:
    """A Chinese error page (``error.html``) with a link back to where to start again: the bureau's
    start for a bureau address, the applicants' otherwise."""
    bureau = path.startswith("/bureau")
    html = _PAGES.get_template("error.html").render(
        heading=heading, message=message, back="/bureau" if bureau else "/",
        back_label="返回监管部门首页" if bureau else "返回首页，重新开始查询")
    resp = HTMLResponse(html, status_code=status, headers=headers)
    resp.headers["Cache-Control"] = "no-store"
    return resp


HEADINGS = {400: "请求有误", 401: "需要登录", 403: "无权访问", 404: "页面不存在", 405: "请从表单重新开始",
            409: "请求未能处理", 413: "提交的内容过大", 422: "提交的内容有误", 423: "账号已锁定",
            429: "请求过于频繁"}
MESSAGES = {404: "您要访问的页面不存在，请检查地址，或返回首页重新开始查询。",
            405: "这个地址只用于提交表单，不能直接打开或刷新。请从下面的链接返回，重新开始。"}


# A 405 at an address a browser opens (its Allow names GET: a page asked with PUT, DELETE, OPTIONS …)
# is not a form's address opened without its form: it says so, not "只用于提交表单".
NOT_THIS_WAY = ("请求方式有误", "这个页面只能在浏览器中直接打开，不接受这种请求方式。请从下面的链接返回首页，重新开始。")


def _page_for_http(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
    if exc.status_code == 405 and "GET" in _allowed(exc):
        return error_page(405, NOT_THIS_WAY[0], NOT_THIS_WAY[1], path=request.url.path,
                          headers=dict(exc.headers) if exc.headers else None)
    default = MESSAGES.get(exc.status_code, "请求未能处理，请返回首页重新开始。")
    detail = exc.detail if isinstance(exc.detail, str) else ""
    # Starlette's own details ("Not Found", "Method Not Allowed") are English only: for_public drops them.
    message = for_public(detail, default) if detail else default
    return error_page(exc.status_code, HEADINGS.get(exc.status_code, "请求未能处理"), message,
                      path=request.url.path, headers=dict(exc.headers) if exc.headers else None)


# ---------------------------------------------------------------------------------------- handlers
def _unsurrogate(obj: Any) -> Any:
    if isinstance(obj, str):
        return printable(obj) if bad_char(obj) else obj
    if isinstance(obj, dict):
        return {_unsurrogate(k): _unsurrogate(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_unsurrogate(v) for v in obj]
    return obj


def safe_json(doc: Any, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    """``doc`` as JSON with any echoed forbidden character escaped (a lone surrogate cannot be
    encoded in UTF-8: echoing one made the error answer itself fail)."""
    return JSONResponse(_unsurrogate(jsonable_encoder(doc)), status_code=status, headers=headers)


def _accepts(request: Request) -> bool:
    return wants_page(request.url.path, request.headers.get("accept"))


# Starlette's own refusals (an unknown address, a method the address does not take) carry its
# English reason phrase alone; an API client reads them as every other refusal: Chinese, then the
# English in brackets (docs/api.md "Errors"), in the same ``{"detail": "…"}`` shape.
API_REASONS = {404: "未找到该地址：请核对请求路径（接口清单见 /docs）",
               405: "该地址不接受 {method} 请求，可用的请求方法：{allow}"}


def _allowed(exc: StarletteHTTPException) -> list[str]:
    """The methods a 405's ``Allow`` header names."""
    return [m.strip() for m in (exc.headers or {}).get("Allow", "").split(",") if m.strip()]


def api_detail(request: Request, exc: StarletteHTTPException) -> Any:
    """``exc.detail`` for the JSON API: Starlette's bare English reason phrase (``Not Found``,
    ``Method Not Allowed``) worded in Chinese first, the English kept after it; a route's own
    detail (already bilingual) as it is."""
    reason = API_REASONS.get(exc.status_code)
    phrase = http.HTTPStatus(exc.status_code).phrase if reason is not None else None
    if exc.detail != phrase or reason is None:
        return exc.detail
    allow = ", ".join(_allowed(exc))
    method = "HEAD" if request.scope.get(HEAD_ASKED) else request.method
    return f"{reason.format(method=method, allow=allow or '—')} ({phrase})"


def allowed_methods(request: Request) -> list[str] | None:
    """Every method the request's address takes, over all its routes (HEAD wherever GET: see
    :class:`HeadAsGet`); None when no route has that address. Starlette's 405 names only the
    first route's methods: ``PUT /receipts`` answered ``Allow: POST`` though the address takes GET
    too (its routes are two, as ``/entity/{uscc}/apply`` and ``/bureau/login``)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods
    if "GET" in methods:
        methods.add("HEAD")
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return sorted(methods, key=lambda m: (order.index(m) if m in order else len(order), m)) or None


async def on_http_error(request: Request, exc: Exception) -> Response:
    """An HTTP error (404 of an unknown address, 405, or one a route raised)."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405 and (methods := allowed_methods(request)):
        exc = StarletteHTTPException(405, exc.detail, {**(exc.headers or {}), "Allow": ", ".join(methods)})
    if _accepts(request):
        return _page_for_http(request, exc)
    detail = api_detail(request, exc)
    if isinstance(detail, str) and not bad_char(detail):
        return await http_exception_handler(request, StarletteHTTPException(exc.status_code, detail, exc.headers))
    return safe_json({"detail": detail}, exc.status_code, dict(exc.headers) if exc.headers else None)


async def on_invalid_request(request: Request, exc: Exception) -> Response:
    """A parameter or body FastAPI could not validate: the usual 422, its echoed input made safe;
    on a page, the problems in Chinese."""
    assert isinstance(exc, RequestValidationError)
    if _accepts(request):
        return error_page(422, "提交的内容有误", f"{form_problems(exc.errors())}。请核对后重新填写。",
                          path=request.url.path)
    return safe_json({"detail": [worded(e) for e in exc.errors()]}, 422)


# Where a parameter stands (FastAPI's first ``loc`` item), in Chinese.
PLACES = {"query": "查询参数", "path": "路径参数", "body": "请求体字段", "header": "请求头", "cookie": "Cookie"}
# Pydantic's error types in Chinese ({…}: the error's ``ctx``). A type not listed reads 取值无效.
PROBLEMS = {
    "missing": "缺失（必须填写）", "string_too_short": "至少应有 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符", "too_short": "至少应有 {min_length} 项",
    "too_long": "最多 {max_length} 项", "string_type": "应为字符串", "list_type": "应为列表（数组）",
    "dict_type": "应为 JSON 对象", "model_attributes_type": "应为 JSON 对象", "int_parsing": "应为整数",
    "int_type": "应为整数", "int_from_float": "应为整数", "float_parsing": "应为数字", "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "date_parsing": "应为有效日期（年-月-日，例如 2026-07-15）",
    "date_from_datetime_parsing": "应为有效日期（年-月-日，例如 2026-07-15）",
    "date_from_datetime_inexact": "应为日期（年-月-日），不含时刻", "date_type": "应为有效日期（年-月-日）",
    "date_format": DAY_PROBLEM_ZH,   # credit.api.validation.Day's refusal
    "greater_than_equal": "应不小于 {ge}", "greater_than": "应大于 {gt}", "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}", "json_invalid": "不是有效的 JSON", "json_type": "应为 JSON",
    "extra_forbidden": "不是可接受的字段", "string_pattern_mismatch": "格式不符",
    "uuid_parsing": "应为 UUID", "url_parsing": "应为网址",
}


def _options(expected: str) -> str:
    """Pydantic's ``'a', 'b' or 'c'`` as ``a、b、c``."""
    return "、".join(re.findall(r"'([^']*)'", expected)) or expected


#: How many items of a list that is too long a validation error echoes (``input``), with its length.
ECHOED_ITEMS = 10
#: How many characters of a refused string a validation error echoes (``input``), with its length.
ECHOED_CHARS = 200


def worded(error: dict[str, Any]) -> dict[str, Any]:
    """A FastAPI/pydantic validation error of the JSON API with its ``msg`` in Chinese, naming where
    the value stands and what is wrong, pydantic's English kept in brackets: "查询参数 as_of：应为有效日期
    … (Input should be a valid date …)". The house style of every public answer (docs/api.md
    "Validation": Chinese for the public, English beside it, as the USCC's refusals); the shape
    (``type``, ``loc``, ``msg``, ``input``, ``ctx``) stays FastAPI's, so programs reading ``type``
    and ``loc`` are unchanged."""
    loc = [str(x) if not isinstance(x, int) else f"[{x}]" for x in error.get("loc", ())]
    place = PLACES.get(loc[0], "") if loc else ""
    rest = loc[1:] if place else loc
    field = "".join(x if x.startswith("[") or i == 0 else "." + x for i, x in enumerate(rest))
    if place and field:
        where = f"{place} {field}"          # 查询参数 as_of, 请求体字段 usccs[0]
    elif place:
        where = place.removesuffix("字段")  # the body as a whole: 请求体
    else:
        where = field or "请求"
    kind = str(error.get("type", ""))
    english = str(error.get("msg", ""))
    given = error.get("input")
    if kind == "too_long" and isinstance(given, list) and len(given) > ECHOED_ITEMS:
        # A list over its limit (a screening of 10,001 codes) is not sent back whole: its first
        # items and its length say what was refused (the whole list was up to 1 MB again).
        error = {**error, "input": given[:ECHOED_ITEMS], "input_length": len(given)}
    elif isinstance(given, str) and len(given) > ECHOED_CHARS:
        # Nor a string: a name of 100,000 characters, an as_of of 5,000, a 1 MB grounds came back whole.
        error = {**error, "input": given[:ECHOED_CHARS], "input_length": len(given)}
    if kind == "date_format" and rest:
        english = f"{rest[-1]} {english}"   # credit.api.validation.Day: "as_of must be a calendar date …"
    ctx = error.get("ctx") or {}
    if kind == "value_error" and CJK.search(english):
        # A check of ours that words its refusal in Chinese and English already (the contact's).
        return {**error, "msg": f"{where}：{english.removeprefix('Value error, ')}"}
    if kind in ("literal_error", "enum"):
        problem = f"取值应为 {_options(str(ctx.get('expected', '')))} 之一"
    elif kind == "json_invalid":
        problem = "请求体不是有效的 JSON"
        where = "请求体"
    else:
        try:
            problem = PROBLEMS.get(kind, "取值无效").format(**{k: str(v) for k, v in ctx.items()})
        except (KeyError, IndexError):
            problem = "取值无效"
    return {**error, "msg": f"{where}：{problem} ({english})"}


async def on_data_error(request: Request, exc: Exception) -> Response:
    """Last resort: a value the database refused (NUL, out of range, too long) is the caller's
    error, HTTP 422, not the server's. The refusal is logged; the caller is not shown the SQL."""
    orig = getattr(exc, "orig", exc)
    log.warning("422 for %s %s: the database refused a value: %s", request.method, request.url.path,
                str(orig).splitlines()[0] if str(orig) else type(orig).__name__)
    if _accepts(request):
        return error_page(422, "提交的内容有误", "提交的内容无法处理（含有不允许的字符，或数值、日期超出范围）。请核对后重新填写。",
                          path=request.url.path)
    return safe_json({"detail": [{"type": "value_error.data", "loc": ["request"],
                                  "msg": "请求中的某个值无法处理（含有不允许的字符，或数值、日期超出范围）"
                                         " (a value of this request was refused by the database: a NUL or "
                                         "control character, or a number or date out of range)"}]}, 422)


async def on_server_error(request: Request, exc: Exception) -> Response:
    """Anything else a route did not expect (a bug, the database gone): logged with its traceback
    here; the caller gets a Chinese page (or a JSON ``detail``), never Starlette's English
    "Internal Server Error" and never the exception's text."""
    log.error("500 for %s %s: %s", request.method, request.url.path, type(exc).__name__)   # the server logs the traceback
    message = "系统暂时无法处理这个请求，请稍后再试；如果一直出现，请联系登记机关。"
    if _accepts(request):
        return error_page(500, "系统暂时无法处理", message, path=request.url.path)
    return safe_json({"detail": f"{message} (internal server error)"}, 500)


#: What a route that writes answers when this server's database role may not write it (503).
ROLE_CANNOT_WRITE = ("本服务的数据库角色无权记录这项操作：登记机关的决定须由以 credit_writer 角色连接数据库的局内服务"
                     "（或命令行）记录，请在局内服务上办理")


async def on_insufficient_privilege(request: Request, exc: Exception) -> Response:
    """A write the database refused to this server's role: a server for the public runs as
    ``credit_api`` (migration 0013, docs/deploy.md §3), which reads and records applications but no
    bureau decision (serious-list assessments and consents, drafts, answers). That is the
    deployment's choice, not a fault of the request nor a bug: HTTP 503 with the reason in Chinese
    and English, never a 500 and never the SQL (an outside review, P4). Any other
    ``ProgrammingError`` is a bug and stays a 500."""
    orig = getattr(exc, "orig", exc)
    if not isinstance(orig, psycopg.errors.InsufficientPrivilege):
        return await on_server_error(request, exc)
    log.warning("503 for %s %s: this server's database role may not write: %s", request.method, request.url.path,
                str(orig).splitlines()[0] if str(orig) else type(orig).__name__)
    if _accepts(request):
        return error_page(503, "本服务不能记录这项操作", f"{ROLE_CANNOT_WRITE}。", path=request.url.path)
    return safe_json({"detail": f"{ROLE_CANNOT_WRITE} (this server's database role may not record this: bureau "
                                "decisions need a server whose database role is credit_writer; README, "
                                "docs/deploy.md)"}, 503)


def install(app: FastAPI) -> None:
    """The edge: the text check (innermost middleware, inside the body-size limit, so add this
    before :class:`~credit.api.security.SecurityMiddleware`) and the error handlers."""
    app.add_middleware(HeadAsGet)
    app.add_middleware(TextInputMiddleware)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_invalid_request)
    app.add_exception_handler(sqlalchemy.exc.DataError, on_data_error)
    app.add_exception_handler(psycopg.DataError, on_data_error)
    app.add_exception_handler(sqlalchemy.exc.ProgrammingError, on_insufficient_privilege)
    app.add_exception_handler(psycopg.errors.InsufficientPrivilege, on_insufficient_privilege)
    # A str that cannot be encoded (a lone surrogate past the text check) fails in the driver or in
    # the answer's rendering: the request's text, not the server.
    app.add_exception_handler(UnicodeEncodeError, on_data_error)
    app.add_exception_handler(Exception, on_server_error)
