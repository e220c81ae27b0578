"""The data quality view (issue 15) in a real headless Chromium, JavaScript off: a bureau officer
signs in and reads each expectation of a sample night (``credit sample``), with its observed value,
its verdict and its trend."""

from __future__ import annotations

from datetime import date

from credit.night import steps
from credit.sample import write_sample
from tests.db.api.support import live  # noqa: F401
from tests.e2e.test_pages import ARTIFACTS, page, pytestmark  # noqa: F401


def test_officer_reads_the_quality_of_a_sample_night(live, page, tmp_path) -> None:  # noqa: F811
    drop = tmp_path / "drop"
    write_sample(drop, 150, 1, seed=3, start=date(2026, 7, 13), defect_rate=0.05)
    steps.run_night(drop, date(2026, 7, 13), live.settings)
    page.goto(live.url + "/bureau/quality")
    page.fill("#key", live.keys["bureau"])                 # not signed in: the sign-in form first
    page.click("#key-login button")
    page.click("#quality-link")                           # from the workbench to the quality view
    assert page.inner_text("h1") == "数据质量：2026-07-13 批次"   # the latest night with results
    assert page.locator("h2").count() == 9                # one table per file of the sample night
    table = page.inner_text("#quality-registration")
    assert "符合格式" in table and "uscc" in table and "行不符合" in table
    assert page.locator("#quality-registration tr").count() > 5
    verdicts = page.locator("td.verdict").all_inner_texts()
    assert set(verdicts) <= {"通过", "未通过"} and "通过" in verdicts
    assert page.locator("td svg").count() == len(verdicts)  # a trend per expectation
    page.screenshot(path=str(ARTIFACTS / "page_quality.png"), full_page=True)
