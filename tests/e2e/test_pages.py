"""The applicants' page and the bureau page in a real headless Chromium (Debian's /usr/bin/chromium,
driven by Playwright), against a running server on PostgreSQL. A screenshot of each page is kept
under tests/e2e/artifacts/ (git-ignored). JavaScript is switched off: the pages must work without it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.db.api.support import SECRET_REP, A, C, D, live, run_night, seed_story  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is absent (apt-get install -y chromium)")


@pytest.fixture()
def page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(java_script_enabled=False, locale="zh-CN", viewport={"width": 1100, "height": 900})
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        yield pg
        context.close()
        browser.close()


def test_applicant_finds_status_and_applies(live, page) -> None:  # noqa: F811
    seed_story(live)
    with live.engine.begin() as c:
        from tests.db.api.support import annual_report

        annual_report(c, A, 2025, "2026-07-20")
    live.clock["today"] = D("2026-07-21")
    page.goto(live.url + "/")
    page.screenshot(path=str(ARTIFACTS / "page_index.png"), full_page=True)
    # A malformed code: the page says what is wrong.
    page.fill("#uscc", A[:17] + ("0" if A[17] != "0" else "1"))
    page.click("button[type=submit]")
    assert "校验码错误" in page.inner_text(".error")
    # The real code: status, repair needs and dates, then the application form.
    page.fill("#uscc", A.lower())
    page.click("button[type=submit]")
    assert page.inner_text("#uscc") == A
    assert "处于列入状态" in page.inner_text("#status")
    entry = page.inner_text("#entry-1")
    assert "经营异常名录" in entry and "未依照《企业信息公示暂行条例》第八条" in entry
    assert "补报未报年份的年度报告并公示后，申请移出" in entry and "5个工作日" in entry
    assert page.inner_text("#entry-1 .decide-by") == "2026-07-28"
    assert SECRET_REP not in page.content()
    page.screenshot(path=str(ARTIFACTS / "page_entity.png"), full_page=True)
    page.select_option("#roster", "abnormal")
    page.fill("#grounds", "已于2026年7月20日补报2025年度报告")
    page.fill("#documents", "守信承诺书\n2025年度报告回执")
    page.click("#apply button[type=submit]")
    # The receipt: shown once, in the answer itself (never in the URL).
    receipt = page.inner_text("#receipt-token")
    assert receipt.startswith("rct_") and receipt not in page.url
    assert "审核中" in page.inner_text("#app-status")
    assert page.inner_text("#decide-by").startswith("2026-07-28")
    assert "守信承诺书" in page.content()
    # The stylesheet loads under the Content-Security-Policy (no inline styles).
    assert page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor") == "rgb(155, 27, 27)"
    page.screenshot(path=str(ARTIFACTS / "page_application.png"), full_page=True)
    # The night decides; the applicant follows the application with the receipt.
    run_night(live.engine, live.settings, "2026-07-22")
    page.goto(live.url + "/")
    page.fill("#receipt", receipt)
    page.click("text=查询申请")
    assert "已准予移出" in page.inner_text("#app-status")
    page.screenshot(path=str(ARTIFACTS / "page_application_decided.png"), full_page=True)


def test_apply_without_grounds_is_refused_on_the_page(live, page) -> None:  # noqa: F811
    seed_story(live)
    page.goto(f"{live.url}/entity?uscc={C}")
    # The browser would block an empty required field; an all-blank reason still reaches the server.
    page.fill("#grounds", "   ")
    page.click("#apply button[type=submit]")
    assert "申请未提交" in page.inner_text(".error")


def test_bureau_page_signs_in_and_shows_night_and_deadlines(live, page) -> None:  # noqa: F811
    seed_story(live)
    report = live.settings.reports_dir / "2026-07-15" / "index.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("<html><body><h1>夜间报告 2026-07-15</h1></body></html>", encoding="utf-8")
    live.clock["today"] = D("2026-07-16")
    with live.client() as h:
        h.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "申请移出"})
    page.goto(live.url + "/bureau")
    page.fill("#key", live.keys["consumer"])
    page.click("#key-login button[type=submit]")
    assert "不是监管部门角色" in page.inner_text(".error")
    page.fill("#key", live.keys["bureau"])
    page.click("#key-login button[type=submit]")
    assert "2026-07-15" in page.inner_text("#night")
    watch = page.inner_text("#watch")
    assert C in watch and "2026-07-23" in watch
    page.screenshot(path=str(ARTIFACTS / "page_bureau.png"), full_page=True)
    page.click("#night .report-link")
    assert "夜间报告 2026-07-15" in page.inner_text("h1")
    page.go_back()
    page.click("text=退出")
    assert page.locator("#key").count() == 1


def _serious_case_on_the_bureau_page(server, page) -> None:  # type: ignore[no-untyped-def]
    """Case P1 of entity A penalised on 2 March 2026 and published that night; on 10 March the
    bureau's officer, signed in with the bureau's key, sees its art. 12 assessment due."""
    from tests.db.api.support import register
    from tests.db.rosters.helpers import night, penalty

    with server.engine.begin() as c:
        register(c, A, "北京甲科技有限公司")
        penalty(c, "P1", A, "2026-03-02")
        night(c, server.settings, "2026-03-02")
    server.clock["today"] = D("2026-03-10")
    page.goto(server.url + "/bureau")
    page.fill("#key", server.keys["bureau"])
    page.click("#key-login button[type=submit]")


def test_bureau_officer_assesses_a_serious_list_proposal(live, page) -> None:  # noqa: F811
    """The serious-list section of the bureau page (domain.md §4): the art. 12 assessment by form."""
    from tests.db.rosters.helpers import decisions

    _serious_case_on_the_bureau_page(live, page)
    assert "第十二条裁量评估" in page.inner_text("#proc-1 .next")
    page.select_option("#intent-1", "negligent")
    page.fill("#frequency-1", "首次")
    page.fill("#harm-1", "未造成严重后果")
    page.select_option("#outcome-1", "list")
    page.click("#assess-1 button[type=submit]")
    assert "已记录：案件 P1 的第十二条裁量评估" in page.inner_text("#ok")
    assert page.locator("#consent-1").count() == 1
    page.screenshot(path=str(ARTIFACTS / "page_bureau_serious.png"), full_page=True)
    with live.engine.connect() as c:
        [a] = decisions(c, action="assess")
    assert a["actor"] == "officer:测试bureau"


def test_a_double_click_and_a_reload_record_one_application(live, page) -> None:  # noqa: F811
    """The application form double-clicked, then its receipt page reloaded (Chromium posts the form
    again): one application, and every answer is the first one's receipt (credit.api.once)."""
    import sqlalchemy as sa

    seed_story(live)
    page.goto(f"{live.url}/entity?uscc={C}")
    page.select_option("#roster", "abnormal")
    page.fill("#grounds", "已补报年度报告并公示")
    page.dblclick("#apply button[type=submit]")
    page.wait_for_selector("#receipt-token")
    receipt = page.inner_text("#receipt-token")
    page.reload()
    assert page.inner_text("#receipt-token") == receipt
    with live.engine.connect() as c:
        assert c.execute(sa.text("select count(*) from repair_applicants")).scalar_one() == 1


def test_a_double_click_on_a_decision_form_records_one_step(live, page) -> None:  # noqa: F811
    """The serious-list assessment clicked twice while its first post still runs (credit.api.once on
    the workbench's forms): one assessment, and the page the officer is left on is its confirmation,
    not the rule's refusal of the second post (当前不需要裁量评估, 409).

    The first post is held on the procedures' lock (as a slow transaction would be) until the second
    has reached the server: Chromium then drops the first answer and shows the second. A plain
    ``dblclick`` is not enough: both clicks fall in one task and Chromium sends one post."""
    import time

    import sqlalchemy as sa

    from credit.rosters.log import LOCK_KEY
    from tests.db.rosters.helpers import decisions

    _serious_case_on_the_bureau_page(live, page)
    page.select_option("#intent-1", "negligent")
    page.fill("#frequency-1", "首次")
    page.fill("#harm-1", "未造成严重后果")
    page.select_option("#outcome-1", "list")

    def waiting(c: sa.Connection, n: int) -> None:
        for _ in range(100):
            if c.execute(sa.text("select count(*) from pg_locks where not granted")).scalar_one() >= n:
                return
            time.sleep(0.05)
        raise AssertionError(f"{n} posts waiting")

    button = page.locator("#assess-1 button[type=submit]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with live.engine.connect() as held, live.engine.connect() as watch:
        held.execute(sa.text("select pg_advisory_lock(:k)"), {"k": LOCK_KEY})
        try:        # the mouse itself: a locator's click would wait for the first post's page
            page.mouse.click(x, y)
            waiting(watch, 1)
            page.mouse.click(x, y)
            waiting(watch, 2)
        finally:
            held.execute(sa.text("select pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
    page.wait_for_selector("#ok, .error")
    assert page.locator(".error").count() == 0, page.inner_text("main")
    assert "已记录：案件 P1 的第十二条裁量评估" in page.inner_text("#ok")
    with live.engine.connect() as c:
        assert len(decisions(c, action="assess")) == 1


def test_applicant_types_the_date_with_a_chinese_input_method(live, page) -> None:  # noqa: F811
    """The date field typed as a Chinese input method gives it (full-width digits and dashes): the page
    answers for that day, as for 2026-07-15 typed in ASCII; a date-time typed there is refused."""
    seed_story(live)
    page.goto(live.url + "/")
    page.fill("#uscc", C)
    page.fill("#as_of", "２０２６－０７－１５")
    page.click("button[type=submit]")
    assert page.inner_text("#uscc") == C
    assert "查询日期：2026-07-15" in page.inner_text("main")
    assert "处于列入状态" in page.inner_text("#status")
    page.screenshot(path=str(ARTIFACTS / "page_entity_full_width_date.png"), full_page=True)
    page.goto(live.url + "/")
    page.fill("#uscc", C)
    page.fill("#as_of", "20260715")
    page.click("button[type=submit]")
    assert "格式有误" in page.inner_text(".error")


def test_a_receipt_promises_no_date_the_entity_page_does_not_promise(live, page) -> None:  # noqa: F811
    """A 个体工商户's restoration limit (ind.restore.annual_report_missing) is marked unverified in
    config/rules.yaml: the entity page says 以登记机关受理时告知的期限为准 (docs/api.md, Pages). Its
    receipt used to promise 应作出决定日期 2026-07-28 from that same unverified 5 WD, whether shown
    at once or looked up later with the receipt code."""
    ind = "92110105MA0000006E"
    with live.engine.begin() as c:
        from tests.db.api.support import annual_report, register

        register(c, ind, "朝阳区张三小吃店", kind="individual")
    run_night(live.engine, live.settings, "2026-07-15")
    with live.engine.begin() as c:
        annual_report(c, ind, 2025, "2026-07-20")
    live.clock["today"] = D("2026-07-21")
    page.goto(live.url + f"/entity?uscc={ind}")
    assert "以登记机关受理时告知的期限为准" in page.inner_text("#entry-1")
    page.fill("#grounds", "已于2026年7月20日补报2025年度报告")
    page.click("#apply button[type=submit]")
    receipt = page.inner_text("#receipt-token")
    assert page.inner_text("#decide-by") == "以登记机关受理时告知的期限为准"
    assert "2026-07-28" not in page.content() and "5个工作日" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "page_application_unverified_limit.png"), full_page=True)
    page.goto(live.url + "/")
    page.fill("#receipt", receipt)
    page.click("text=查询申请")
    assert page.inner_text("#decide-by") == "以登记机关受理时告知的期限为准"
    assert "2026-07-28" not in page.content()
