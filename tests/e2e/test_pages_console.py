"""The applicants' pages load in a real headless Chromium **with** JavaScript on, as most visitors'
browsers run, without one error in the browser's console: no failed request (a page's stylesheet,
the icon every browser asks for at ``/favicon.ico``), no script error, no blocked resource (the
Content-Security-Policy forbids inline scripts and styles; a page that used one would log it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.db.api.support import C, live, seed_story  # noqa: F401
from tests.e2e.test_pages_chinese import ARGS, CHROMIUM


@pytest.fixture()
def scripted_page() -> Iterator[tuple[object, list[str]]]:
    if not Path(CHROMIUM).exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(java_script_enabled=True, locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        pg.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
        pg.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        yield pg, errors
        context.close()
        browser.close()


def test_applicant_pages_log_no_console_error(live, scripted_page) -> None:  # noqa: F811
    seed_story(live)
    page, errors = scripted_page
    for path in ("/", f"/entity?uscc={C}", "/draws", "/bureau/login"):
        errors.clear()
        response = page.goto(live.url + path)  # type: ignore[attr-defined]
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
        assert errors == [], f"{path}: {errors}"
