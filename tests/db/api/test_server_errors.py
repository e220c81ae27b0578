"""An unexpected failure behind a page (a bug, the database gone) is a Chinese error page for the
browser and a JSON ``detail`` for an API client, never Starlette's English "Internal Server Error"
and never a traceback."""

from __future__ import annotations

import httpx
import pytest

from tests.db.api.support import C, live, seed_story  # noqa: F401  (the fixture)


def _broken(*args: object, **kwargs: object) -> object:
    raise RuntimeError("boom: a bug behind the page")


def test_a_failure_behind_a_page_is_a_chinese_page(live, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    seed_story(live)
    from credit.api import views

    monkeypatch.setattr(views, "entity_status", _broken)
    with httpx.Client(base_url=live.url, timeout=60) as h:
        page = h.get(f"/entity?uscc={C}", headers={"Accept": "text/html"})
        assert page.status_code == 500
        assert page.headers["content-type"].startswith("text/html")
        assert "系统暂时无法处理" in page.text and 'href="/"' in page.text
        for leak in ("Internal Server Error", "Traceback", "RuntimeError", "boom"):
            assert leak not in page.text
    # (uvicorn logs the exception after the answer and may close that connection: a new one.)
    with httpx.Client(base_url=live.url, timeout=60) as h:
        api = h.get(f"/v1/entities/{C}")
        assert api.status_code == 500 and api.headers["content-type"].startswith("application/json")
        assert "boom" not in api.text and "系统暂时无法处理" in api.json()["detail"]
