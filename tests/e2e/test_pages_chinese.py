"""The applicants' pages read as Chinese only (issue 15), in a real headless Chromium.

Every applicant page — the index, an error, an entity with its repair outlook, a refused form, the
receipt of an application, a decided application and an unknown one — is walked, and its visible
text (``inner_text('body')``) must hold no English word: only codes (USCC, receipt token, case
and document numbers), dates and single letters (tiers A–D, the letters a USCC does not use).
The entity page and the receipt are also printed (print media, A4 PDF) to tests/e2e/artifacts/ (git-ignored)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.db.api.support import A, C, D, annual_report, live, run_night, seed_story  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

# What may stand in Latin letters on a Chinese page: a USCC (18 of 0-9 and capitals), a receipt
# token, an ISO date, a code with a digit in it (case and document numbers, P1, HZ-2026-01), and
# single letters (tiers A–D; "不使用字母 I、O、Z、S、V").
CODES = re.compile(r"\b[0-9A-Z]{18}\b|rct_[A-Za-z0-9_-]+|\d{4}-\d{2}-\d{2}|\b(?=[A-Za-z0-9_/-]*\d)[A-Za-z0-9_/-]+\b")
WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str) -> list[str]:
    """The Latin words of ``text`` that are not codes."""
    return WORD.findall(CODES.sub(" ", text))


def test_the_checker_finds_english_and_spares_codes() -> None:
    assert english_words("修复条件 on application, after filing the missing report") == \
        ["on", "application", "after", "filing", "the", "missing", "report"]
    assert english_words("统一社会信用代码应为18位 (a USCC has 18 characters)") == ["USCC", "has", "characters"]
    assert english_words(f"代码 {A}，2026-07-28 前决定；回执码 rct_Ab-9_x；案号 HZ-PEN-2026-001；等级 A、D") == []


@pytest.fixture()
def page() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install -y chromium)")
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


def chinese_only(page, where: str) -> str:  # type: ignore[no-untyped-def]
    text: str = page.inner_text("body")
    assert english_words(text) == [], f"{where}: English on an applicant page: {english_words(text)}\n{text}"
    return text


def test_every_applicant_page_is_chinese_and_prints(live, page) -> None:  # noqa: F811
    seed_story(live)
    with live.engine.begin() as c:
        annual_report(c, A, 2025, "2026-07-20")
    live.clock["today"] = D("2026-07-21")
    page.goto(live.url + "/")
    chinese_only(page, "index")
    # Errors: a wrong check character, a wrong length, an unknown entity, a bad date.
    for bad in (A[:17] + ("0" if A[17] != "0" else "1"), A[:16], "91110105MA0000000X"):
        page.goto(live.url + "/")
        page.fill("#uscc", bad)
        page.click("button[type=submit]")
        assert page.locator(".error").count() == 1
        chinese_only(page, f"error for {bad}")
    page.goto(f"{live.url}/entity?uscc={A}&as_of=2026-13-01")
    assert "格式有误" in chinese_only(page, "bad date")
    # An entity on the roster: what repair needs, in Chinese, and no caveat about unverified rules.
    page.goto(f"{live.url}/entity?uscc={C}")
    text = chinese_only(page, "entity")
    assert "补报未报年份的年度报告并公示后，申请移出" in text
    assert "待核实" not in text and "受理时限" not in text
    # The submit button stands on its own line, under the last field.
    button = page.locator("#apply button[type=submit]").bounding_box()
    field = page.locator("#contact").bounding_box()
    assert button is not None and field is not None and button["y"] >= field["y"] + field["height"]
    page.screenshot(path=str(ARTIFACTS / "page_entity_zh.png"), full_page=True)
    # Printed: A4, no navigation and no forms; the print date and the publishing authority at the foot.
    page.emulate_media(media="print")
    assert not page.locator("header").is_visible() and not page.locator("#apply").is_visible()
    foot = page.inner_text("#print-foot")
    assert "打印日期：2026-07-21" in foot and "信息来源：" in foot
    page.pdf(path=str(ARTIFACTS / "entity_print.pdf"), format="A4", print_background=False)
    assert (ARTIFACTS / "entity_print.pdf").read_bytes()[:5] == b"%PDF-"
    page.screenshot(path=str(ARTIFACTS / "page_entity_print.png"), full_page=True)
    page.emulate_media(media="screen")
    # A refused form: blank grounds reach the server, the refusal is in Chinese.
    page.fill("#grounds", "   ")
    page.click("#apply button[type=submit]")
    assert "申请未提交：申请理由未填写" in chinese_only(page, "refused form")
    # Apply for 甲: the receipt page, then its print view.
    page.goto(f"{live.url}/entity?uscc={A}")
    chinese_only(page, "entity A")
    page.fill("#grounds", "已于2026年7月20日补报2025年度报告")
    page.fill("#documents", "守信承诺书\n2025年度报告回执")
    page.click("#apply button[type=submit]")
    receipt = page.inner_text("#receipt-token")
    chinese_only(page, "receipt")
    page.emulate_media(media="print")
    assert "打印日期：2026-07-21" in page.inner_text("#print-foot") and not page.locator("header").is_visible()
    page.pdf(path=str(ARTIFACTS / "receipt_print.pdf"), format="A4")
    page.emulate_media(media="screen")
    # A second application for the same entry is refused, in Chinese.
    page.goto(f"{live.url}/entity?uscc={A}")
    page.fill("#grounds", "再次申请")
    page.fill("#contact", "13800000000")
    page.click("#apply button[type=submit]")
    chinese_only(page, "second application")
    # The night decides; the decided application, then an unknown receipt.
    run_night(live.engine, live.settings, "2026-07-22")
    page.goto(live.url + "/")
    page.fill("#receipt", receipt)
    page.click("text=查询申请")
    assert "已准予移出" in chinese_only(page, "decided application")
    page.goto(live.url + "/")
    page.fill("#receipt", "rct_unknown")
    page.click("text=查询申请")
    assert "回执码无效" in chinese_only(page, "unknown receipt")
    page.goto(live.url + "/applications/999999")
    chinese_only(page, "unknown application")


def test_penalty_section_and_its_repair_form_are_chinese(live, page) -> None:  # noqa: F811
    """A published penalty (行政处罚信息) with its repair outlook, then a refused repair application."""
    from tests.db.api.support import register
    from tests.db.rosters.helpers import night, penalty

    with live.engine.begin() as c:
        register(c, A, "北京甲科技有限公司")
        penalty(c, "P1", A, "2026-03-02", heavier=False)
        night(c, live.settings, "2026-03-02")
    live.clock["today"] = D("2026-07-15")
    page.goto(f"{live.url}/entity?uscc={A}&as_of=2026-07-15")
    text = chinese_only(page, "entity with a penalty")
    assert "行政处罚信息" in text and "罚字〔2026〕P1号" in text
    page.screenshot(path=str(ARTIFACTS / "page_entity_penalty.png"), full_page=True)
    if page.locator("form.apply-penalty").count():
        page.fill("form.apply-penalty textarea[name=grounds]", "   ")
        page.click("form.apply-penalty button[type=submit]")
        assert "申请未提交" in chinese_only(page, "refused penalty repair")


def test_the_draws_page_is_chinese_and_its_files_check(live, page) -> None:  # noqa: F811
    """抽查公示 (domain.md §8 一公开): the public page of the draws, in Chinese, whose links give the
    files whose SHA-256 it shows."""
    import hashlib

    import httpx

    from tests.db.draws.helpers import load_store, plan_and_run

    load_store(live.engine)
    drawn = plan_and_run(live.engine, live.settings)
    page.goto(live.url + "/")
    page.click("header a[href='/draws']")
    text = chinese_only(page, "draws")
    assert drawn in text and "已抽取" in text and "如何核验" in text
    for link in ("a.plan", "a.record"):
        href = page.locator(f"#draw-1 {link}").get_attribute("href")
        shown = page.locator(f"#draw-1 {link} ~ code.digest").inner_text()
        body = httpx.get(live.url + str(href), timeout=30).content
        assert hashlib.sha256(body).hexdigest() == shown, link
    page.screenshot(path=str(ARTIFACTS / "page_draws_zh.png"), full_page=True)


def test_the_licence_letter_on_an_entity_page_is_chinese(live, page, tmp_path: Path) -> None:  # noqa: F811
    """双告知's applicant half (domain.md §11): a food manufacturer registered this month reads, on
    its own page, which licence it needs and from which department — in Chinese only."""
    from credit.night.steps import run_night as run_sample_night
    from tests.db.notices.test_sample_night import FOOD, FOOD_DEPT, N1, sample_drop

    run_sample_night(sample_drop(tmp_path), N1, live.settings)
    page.goto(f"{live.url}/entity?uscc={FOOD}&as_of={N1.isoformat()}")
    text = chinese_only(page, "entity with a licence letter")
    assert "许可办理告知" in text and "食品生产许可证" in text and FOOD_DEPT in text
    assert page.locator(".letter").count() == 1
