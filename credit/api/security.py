"""What every request and response goes through (issue 14, docs/api.md "Security").

- **Body size**: a request body over ``security.max_body_bytes`` (config/api.yaml, 1 MB) is
  refused with HTTP 413, by its ``Content-Length`` or, when streamed, as soon as it grows past.
  ``POST /v1/certificates/verify`` takes up to ``security.max_certificate_bytes`` (32 MB): a
  certificate of a full bulk screening (10,000 results, about 0.7–1.5 KB each when listed, more
  when the holder saved it indented) is sent back whole to be re-checked.
- **Origin**: a state-changing request (POST, PUT, PATCH, DELETE) whose ``Origin`` — or, without
  it, ``Referer`` — names another site than this service (or one of ``security.allowed_origins``)
  is refused with HTTP 403. Browsers send ``Origin`` with every POST; API clients that send
  neither are judged by their key alone.
- **Headers** on every response: a Content-Security-Policy without inline scripts or styles (the
  pages' CSS is ``/static/site.css``; the OpenAPI pages ``/docs`` and ``/redoc`` get the policy
  their bundled scripts need), ``X-Content-Type-Options``, ``Referrer-Policy``,
  ``X-Frame-Options`` and ``frame-ancestors``, ``Permissions-Policy``; HSTS only under HTTPS.

Proxy headers (``X-Forwarded-For``, ``X-Forwarded-Proto``) are believed only from the addresses in
``security.trusted_proxies`` (uvicorn's ``ProxyHeadersMiddleware``, added by ``create_app``; none by
default), so the client address of rate limits and the scheme behind ``Secure`` cookies and HSTS
cannot be forged by a caller.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credit.api.errors import error_page, wants_page
from credit.api.wording import for_public

REFUSAL_HEADINGS = {403: "无权访问", 408: "提交超时", 413: "提交的内容过大"}
REFUSAL_ADVICE = {403: "请从本站页面重新打开表单后提交。",
                  408: "请检查网络后重新提交。",
                  413: "请删减填写的内容（例如证明材料只填编号），然后重新提交。"}
"""How the edge's own refusals read on a page (the API keeps its JSON ``detail``)."""

PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
# /docs and /redoc load only the app's own files (credit.api.docs); Swagger UI and ReDoc set
# inline styles, and ReDoc runs its search in a blob: worker.
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'")
DOCS_PATHS = ("/docs", "/redoc")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or []:
        if k == name:
            return bytes(v).decode("latin-1")
    return None


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


class SecurityMiddleware:
    """Body-size limit, Origin check on state-changing requests, security headers (pure ASGI)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int = 1_048_576, allowed_origins: Iterable[str] = (),
                 hsts_seconds: int = 31_536_000, path_limits: Mapping[str, int] | None = None,
                 large_at_once: int = 2, large_read_seconds: float = 30.0) -> None:
        self.app = app
        self.max_body = int(max_body_bytes)
        # a larger limit for the paths that must take a larger body (a certificate sent back whole)
        self.path_limits = {str(k): int(v) for k, v in (path_limits or {}).items()}
        # A body over the ordinary limit on such a path costs the process about 20 times its size
        # while parsed (a 32 MB certificate: 0.5–1 GB): at most ``large_at_once`` are read and
        # handled at a time, the others wait their turn; and each part of such a body must arrive
        # within ``large_read_seconds``, or the request is refused (408) and its place freed — a
        # client trickling a body would otherwise hold a place for ever.
        self.large = asyncio.Semaphore(max(1, int(large_at_once)))
        self.large_read = float(large_read_seconds)
        self.allowed = {o.rstrip("/").lower() for o in allowed_origins}
        self.hsts = int(hsts_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        https = scope.get("scheme") == "https"
        csp = DOCS_CSP if path.startswith(DOCS_PATHS) else PAGE_CSP
        extra = [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
                 (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
                 (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
                 (b"cross-origin-opener-policy", b"same-origin")]
        if https and self.hsts > 0:
            extra.append((b"strict-transport-security", f"max-age={self.hsts}; includeSubDomains".encode()))
        started = False
        answered = False      # a refusal was sent: whatever the application says afterwards is dropped

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if answered:
                return
            if message["type"] == "http.response.start":
                started = True
                present = {bytes(k).lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *((k, v) for k, v in extra if k not in present)]}
            await send(message)

        async def refuse(status: int, detail: str) -> None:
            nonlocal answered
            kind = b"application/json; charset=utf-8"
            if wants_page(path, _header(scope, b"accept")):
                # A browser on a page gets a Chinese page, not the JSON of the API.
                page = error_page(status, REFUSAL_HEADINGS[status], f"{for_public(detail)}。{REFUSAL_ADVICE[status]}",
                                  path=path)
                body, kind = bytes(page.body), b"text/html; charset=utf-8"
            else:
                body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
            await send_with_headers({"type": "http.response.start", "status": status,
                                     "headers": [(b"content-type", kind), (b"cache-control", b"no-store"),
                                                 (b"content-length", str(len(body)).encode())]})
            await send_with_headers({"type": "http.response.body", "body": body})
            answered = True

        limit = self.path_limits.get(path, self.max_body)
        too_big = f"请求体过大，上限 {limit} 字节 (request body over {limit} bytes)"
        if scope.get("method") in UNSAFE and not self._same_origin(scope):
            await refuse(403, "跨站请求被拒绝 (cross-site request refused: Origin/Referer is not this service)")
            return
        length = _header(scope, b"content-length")
        if length is not None and (not length.strip().isdigit() or int(length) > limit):
            await refuse(413, too_big)
            return
        seen = 0
        # a body that may exceed the ordinary limit: counted among the large ones (see __init__)
        large = limit > self.max_body and (length is None or int(length) > self.max_body)

        async def counted() -> Message:
            # A streamed body is counted as it arrives; past the limit the refusal goes out at once
            # and the application is told the client left (it reads no more of the body).
            nonlocal seen
            if answered:
                return {"type": "http.disconnect"}
            if large:
                try:
                    message = await asyncio.wait_for(receive(), self.large_read)
                except TimeoutError:
                    if not started:
                        await refuse(408, f"请求体传输超时，{self.large_read:g} 秒内未收到后续内容 (request body "
                                          f"timed out: nothing more arrived within {self.large_read:g} s)")
                    return {"type": "http.disconnect"}
            else:
                message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit and not started:
                    await refuse(413, too_big)
                    return {"type": "http.disconnect"}
            return message

        if large:
            async with self.large:
                await self.app(scope, counted, send_with_headers)
            return
        await self.app(scope, counted, send_with_headers)

    def _same_origin(self, scope: Scope) -> bool:
        claimed = _header(scope, b"origin")
        if claimed is None:
            referer = _header(scope, b"referer")
            if referer is None:
                return True          # not a browser's request: the key decides
            claimed = _origin_of(referer) or "null"
        claimed = claimed.strip().rstrip("/").lower()
        host = _header(scope, b"host")
        own = f"{scope.get('scheme', 'http')}://{host}".lower() if host else None
        return claimed == own or claimed in self.allowed
