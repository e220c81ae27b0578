"""What a browser meets off the happy path, in a real headless Chromium: an unknown address, a
form's address opened again after submitting, a character the service refuses typed into the
form, a date after the latest published night — every page Chinese only (no English word)."""

from __future__ import annotations

from tests.db.api.support import C, D, live, make_uscc, register, seed_story  # noqa: F401
from tests.e2e.test_pages_chinese import chinese_only, page  # noqa: F401

NEW = make_uscc(40)


def test_error_pages_and_the_far_future_caveat_are_chinese(live, page) -> None:  # noqa: F811
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    page.goto(live.url + "/receipt?token=rct_x")
    assert "页面不存在" in chinese_only(page, "unknown address")
    page.click("#back")
    assert page.url == live.url + "/"
    # Submit an application, then open the form's address again (what a reload by address does).
    page.goto(f"{live.url}/entity?uscc={C}")
    page.fill("#grounds", "已补报2025年度报告")
    page.click("#apply button[type=submit]")
    chinese_only(page, "receipt")
    page.goto(f"{live.url}/entity/{C}/apply")
    assert page.url.endswith(f"/entity?uscc={C}#apply")
    chinese_only(page, "the form's address opened again")
    page.goto(live.url + "/receipts")
    assert page.url == live.url + "/"
    # A control character typed into the form: refused with a Chinese page, nothing recorded.
    page.goto(f"{live.url}/entity?uscc={C}")
    page.fill("#grounds", "理由\x00\x1b")
    page.fill("#contact", "13900000000")
    page.click("#apply button[type=submit]")
    assert "不允许的字符" in chinese_only(page, "forbidden character")
    # A date far after the latest published night: the answer says what it rests on.
    page.goto(f"{live.url}/entity?uscc={C}&as_of=9999-12-31")
    text = chinese_only(page, "far-future date")
    assert "晚于最新数据日期 2026-07-15" in page.inner_text("#beyond-data") and "可能改变该结果" in text


def test_a_refused_application_keeps_what_was_typed(live, page) -> None:  # noqa: F811
    """Too many documents (a browser cannot stop that): the refusal is Chinese and the form comes
    back as typed, so the applicant removes a few lines and sends it again."""
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    page.goto(f"{live.url}/entity?uscc={C}")
    grounds = "已补报2025年度报告并公示 <b>附件见后</b>"
    documents = "\n".join(f"材料{i}" for i in range(1, 26))
    page.fill("#grounds", grounds)
    page.fill("#documents", documents)
    page.fill("#contact", "13900000000")
    page.click("#apply button[type=submit]")
    assert "证明材料项数过多" in chinese_only(page, "too many documents")
    assert page.input_value("#grounds") == grounds
    assert page.input_value("#documents") == documents
    assert page.input_value("#contact") == "13900000000"
    page.fill("#documents", "材料1\n材料2")
    page.click("#apply button[type=submit]")
    assert "回执码" in chinese_only(page, "the receipt after the correction")


def test_a_day_before_the_entity_was_established_says_so(live, page) -> None:  # noqa: F811
    """An entity established after the day asked was not registered on it: the page says so, in
    Chinese, where it used to show the entity as on any other day (the certificate said registered)."""
    seed_story(live)    # the night of 2026-07-15
    with live.engine.begin() as c:
        register(c, NEW, "北京新设科技有限公司", established="2026-07-16")
    page.goto(f"{live.url}/entity?uscc={NEW}&as_of=2026-07-15")
    text = chinese_only(page, "a day before establishment")
    assert page.inner_text("#not-yet-registered") == "查询日期 2026-07-15 早于该主体的成立日期 2026-07-16：该日该主体尚未登记成立。"
    assert "北京新设科技有限公司" in text
    page.goto(f"{live.url}/entity?uscc={C}&as_of=2026-07-15")
    assert page.locator("#not-yet-registered").count() == 0
