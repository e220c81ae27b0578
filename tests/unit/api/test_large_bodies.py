"""The certificate path takes bodies up to 32 MB, which cost the API process about 20 times their
size while parsed: at most ``large_at_once`` such bodies are handled at a time, and a body whose
next part does not arrive within ``large_read_seconds`` is refused (408) and its place freed
(reviewB: a few 32 MB requests at once could exhaust the process; a trickled body held it). Driven
at the ASGI level, without a database or a server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from credit.api.security import SecurityMiddleware

PATH = "/v1/certificates/verify"
BIG = 2_000_000    # over the ordinary 1 MB limit, under the path's own


def _scope(length: int | None) -> dict[str, Any]:
    headers = [(b"host", b"testserver"), (b"content-type", b"application/json")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {"type": "http", "method": "POST", "path": PATH, "scheme": "http", "headers": headers}


def _middleware(app: Any, at_once: int = 1, seconds: float = 0.3) -> SecurityMiddleware:
    return SecurityMiddleware(app, path_limits={PATH: 33_554_432}, large_at_once=at_once, large_read_seconds=seconds)


async def _reading_app(scope: Any, receive: Any, send: Any) -> None:
    """Reads the whole body, then answers 200."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def test_a_body_that_stops_arriving_is_refused_408_and_frees_its_place() -> None:
    sent: list[dict[str, Any]] = []

    async def trickle() -> dict[str, Any]:
        if not sent and not getattr(trickle, "first", False):
            trickle.first = True  # type: ignore[attr-defined]
            return {"type": "http.request", "body": b"{" + b" " * 1000, "more_body": True}
        await asyncio.sleep(3600)     # the client sends nothing more
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    mw = _middleware(_reading_app)

    async def run() -> None:
        await asyncio.wait_for(mw(_scope(BIG), trickle, send), 5)
        assert mw.large._value == 1      # its place is free again  # noqa: SLF001

    asyncio.run(run())
    assert sent[0]["status"] == 408
    assert "超时" in json.loads(sent[1]["body"])["detail"]


def test_at_most_so_many_large_bodies_are_handled_at_once() -> None:
    inside = 0
    most = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.05)
        await _reading_app(scope, receive, send)
        inside -= 1

    async def one(mw: SecurityMiddleware, length: int) -> int:
        status: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"{}", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await mw(_scope(length), receive, send)
        return status[0]

    async def run(length: int) -> list[int]:
        mw = _middleware(app, at_once=2)
        return list(await asyncio.gather(*(one(mw, length) for _ in range(6))))

    assert asyncio.run(run(BIG)) == [200] * 6 and most == 2
    most = 0
    assert asyncio.run(run(500)) == [200] * 6 and most == 6     # small bodies are not held back
