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
