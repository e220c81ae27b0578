"""POST /v1/certificates/verify takes bodies up to 32 MB (security.max_certificate_bytes). Its check
for a key named twice parses the whole body again: about 1.3 s and 470 MB for 31 MB of small
objects (measured). Run on the event loop, that parse stalled every other request of the API
process meanwhile (a public endpoint: anyone may send such a body); it runs on a worker thread."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from credit.api import routes


def _keys_dependency() -> Any:
    route = next(r for r in routes.public.routes if getattr(r, "path", None) == routes.CERTIFICATE_VERIFY)
    # the route's own check (the router's dependencies, who is calling, come first)
    return next(d.dependency for d in route.dependencies   # type: ignore[attr-defined]
                if getattr(d.dependency, "__name__", "") == "_keys_once")


def test_the_repeated_key_check_of_a_certificate_runs_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    on_loop: list[bool] = []

    def recording(body: bytes) -> None:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)

    monkeypatch.setattr(routes, "repeated_key_problem", recording)
    app = FastAPI()

    @app.post("/check", dependencies=[Depends(_keys_dependency())])
    def check(body: dict[str, Any]) -> dict[str, bool]:
        return {"ok": True}

    with TestClient(app) as client:
        assert client.post("/check", json={"results": []}).status_code == 200
    assert on_loop == [False]


def test_a_small_request_is_answered_while_a_large_certificate_body_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """FastAPI parses a route's JSON body itself, before the route's dependencies: on the event loop
    unless the route reads it through OffLoopJSONRequest. The parse of a large body is held here
    until a small request to another route of the process has been answered: on the loop, that
    request could not be (it waited for the parse, which waited for it)."""
    import json
    import threading

    import httpx

    from tests.db.api.support import ServerThread

    verify = next(r for r in routes.public.routes if getattr(r, "path", None) == routes.CERTIFICATE_VERIFY)
    assert isinstance(verify, routes.OffLoopJSONRoute)
    started, answered = threading.Event(), threading.Event()
    loads = json.loads

    def held(s: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(s, bytes | bytearray) and len(s) > 1_000_000:   # the large body only
            started.set()
            answered.wait(10)
        return loads(s, *args, **kwargs)

    monkeypatch.setattr(json, "loads", held)
    app = FastAPI()

    @app.get("/small")
    def small() -> dict[str, bool]:
        return {"ok": True}

    def check(body: dict[str, Any]) -> dict[str, int]:
        return {"results": len(body["results"])}

    app.router.add_api_route("/check", check, methods=["POST"], route_class_override=routes.OffLoopJSONRoute)
    big = json.dumps({"results": [{"uscc": "9" * 18, "listed": False}] * 40_000}).encode()
    assert len(big) > 1_000_000
    out: dict[str, Any] = {}
    with ServerThread(app) as srv:
        def post() -> None:
            with httpx.Client(base_url=srv.url, timeout=30) as h:
                r = h.post("/check", content=big, headers={"content-type": "application/json"})
                out["large"] = (r.status_code, r.json())

        sender = threading.Thread(target=post)
        sender.start()
        try:
            assert started.wait(20), "the large body was never parsed"
            with httpx.Client(base_url=srv.url, timeout=3) as h:
                assert h.get("/small").json() == {"ok": True}    # answered while the parse is held
        finally:
            answered.set()
            sender.join(30)
    assert out["large"] == (200, {"results": 40_000})
