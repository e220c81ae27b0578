"""/docs and /redoc render in headless Chromium with every request outside the server blocked, as
on a bureau network without the public internet (issue 15). JavaScript is on: Swagger UI and
ReDoc are scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.db.api.support import live  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is absent (apt-get install -y chromium)")


def test_docs_render_without_the_internet(live) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    blocked: list[str] = []
    errors: list[str] = []

    def only_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
        context.route("**/*", only_local)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(live.url + "/docs")
        page.wait_for_selector(".opblock-summary-path")
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/v1/entities/{uscc}" in paths and len(paths) >= 26
        # An operation opens with its documented answer (the response model's schema).
        page.locator("#operations-public-entity_v1_entities__uscc__get .opblock-summary").click()
        page.wait_for_selector("#operations-public-entity_v1_entities__uscc__get .responses-table")
        assert "data_version" in page.inner_text("#operations-public-entity_v1_entities__uscc__get")
        page.screenshot(path=str(ARTIFACTS / "docs_offline.png"))
        page.goto(live.url + "/redoc")
        page.wait_for_selector('[data-section-id="operation/entity_v1_entities__uscc__get"]', state="attached")
        assert page.locator('[data-section-id^="operation/"]').count() >= 26
        assert "企业信用监管 API" in page.inner_text("body")
        page.screenshot(path=str(ARTIFACTS / "redoc_offline.png"))
        context.close()
        browser.close()
    # Nothing outside the server was even asked for. The one thing the policy stops is ReDoc's
    # "API docs by Redocly" logo, which its script always points at its CDN and hides when it
    # does not load: the Content-Security-Policy keeps the browser from asking.
    assert blocked == [], blocked
    refused = [e for e in errors if "Content Security Policy" in e or "Failed to load" in e]
    assert all("cdn.redoc.ly/redoc/logo-mini.svg" in e for e in refused), refused
