"""The officers' workbench in a real headless Chromium without JavaScript (issue 15): an officer signs
in with a password, approves a draft, decides an objection, browses a night's quarantine and
downloads it, decides a repair application; the decisions record the officer's account.
Screenshots: tests/e2e/artifacts/workbench_*.png (git-ignored)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from tests.db.api.support import A, D, file_and_apply, run_night, seed_story
from tests.db.api.workbench_support import PASSWORD, bench, drafts  # noqa: F401
from tests.e2e.test_pages import page, pytestmark  # noqa: F401

ARTIFACTS = Path(__file__).parent / "artifacts"


def test_officer_approves_decides_and_browses_the_quarantine(bench, page) -> None:  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    seed_story(bench)
    with bench.engine.begin() as c:
        for i, raw in enumerate([{"uscc": "91110105MA0000010X", "name": "某甲公司"}, {"uscc": "", "name": "某乙公司"},
                                 {"uscc": "9111", "name": "某丙公司"}]):
            c.execute(sa.text("insert into quarantine values ('2026-07-15', 'registration.csv', :l, 'registration', "
                              "'uscc_check', '统一社会信用代码校验码错误', cast(:r as jsonb))"),
                      {"l": i + 2, "r": json.dumps(raw, ensure_ascii=False)})
    seq = drafts(bench.engine)[A]
    bench.clock["today"] = D("2026-07-16")
    # Sign in with a password (a wrong one first).
    page.goto(bench.url + "/bureau")
    page.fill("#login", "zhang.shen")
    page.fill("#password", "not-the-password")
    page.click("#password-login button[type=submit]")
    assert "用户名或密码错误" in page.inner_text(".error")
    page.fill("#password", PASSWORD)
    page.click("#password-login button[type=submit]")
    assert "张审（审核人员，北京市朝阳区市场监督管理局）" in page.inner_text("#me")
    assert "2026-07-15" in page.inner_text("#night")
    page.screenshot(path=str(ARTIFACTS / "workbench_overview.png"), full_page=True)
    # Approve the night's draft to list 甲.
    page.click("nav.bureau-nav >> text=待审批草稿")
    assert "北京甲科技有限公司" in page.inner_text(f"#draft-{seq}")
    page.screenshot(path=str(ARTIFACTS / "workbench_drafts.png"), full_page=True)
    page.click(f"#decide-draft-{seq} button.approve")
    assert f"草稿 {seq} 已批准" in page.inner_text("#ok")
    # 甲 objects to the listing (recorded at the counter); the officer dismisses it on the page.
    with bench.engine.connect() as c:
        listing = c.execute(sa.text("select seq from roster_decisions where action = 'include'")).scalar_one()
    bench.clock["today"] = D("2026-07-20")
    with bench.client("bureau") as h:
        obj = h.post("/v1/bureau/objections", json={"decision": str(listing), "received_on": "2026-07-20",
                                                    "grounds": "已按期报送年报"}).json()
    page.click("nav.bureau-nav >> text=修复申请与异议")
    assert "已按期报送年报" in page.inner_text(f"#request-{obj['id']}")
    page.screenshot(path=str(ARTIFACTS / "workbench_requests.png"), full_page=True)
    page.select_option(f"#outcome-{obj['id']}", "dismissed")
    page.fill(f"#objection-note-{obj['id']}", "核实未按期报送")
    page.click(f"#decide-objection-{obj['id']} button[type=submit]")
    assert "异议不成立" in page.inner_text("#ok")
    # The night's quarantine: rows with file, line, reason and raw content, then the download.
    page.click("nav.bureau-nav >> text=夜间批次")
    page.click("#night-2026-07-15 ~ p .quarantine-link")
    assert "共隔离 3 行" in page.inner_text("#quarantine-count")
    table = page.inner_text("#quarantine")
    assert "registration.csv" in table and "统一社会信用代码校验码错误" in table and "某丙公司" in table
    page.screenshot(path=str(ARTIFACTS / "workbench_quarantine.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#quarantine-csv")
    body = open(dl.value.path(), "rb").read()
    assert body.startswith(b"\xef\xbb\xbf") and len(body.decode("utf-8-sig").splitlines()) == 4
    with bench.engine.connect() as c:
        actors = c.execute(sa.text("select action, actor from roster_decisions where action in ('include', 'refuse') "
                                   "order by seq")).all()
    assert [tuple(a) for a in actors] == [("include", "account:zhang.shen"), ("refuse", "account:zhang.shen")]


def test_officer_decides_a_repair_application(bench, page) -> None:  # noqa: F811
    """An entity on the abnormal roster applies for removal; the night drafts the removal; the
    approver signs in with a password and approves it on 修复申请与异议; the applicant's page shows it."""
    ARTIFACTS.mkdir(exist_ok=True)
    seed_story(bench)
    with bench.engine.begin() as c:  # 甲's listing (the night of 07-15 drafted it; approved as the CLI does)
        from credit.rosters.repair import decide_draft

        decide_draft(c, drafts(bench.engine)[A], "account:zhang.shen", D("2026-07-16"), settings=bench.settings)
    app = file_and_apply(bench)  # 甲 files its report on 07-20 and applies online on 07-21
    run_night(bench.engine, bench.settings, "2026-07-22")  # the night drafts the removal
    with bench.engine.connect() as c:
        draft = c.execute(sa.text("select seq from roster_decisions where action = 'propose' and request_id = :i"),
                          {"i": app["id"]}).scalar_one()
    bench.clock["today"] = D("2026-07-23")
    page.goto(bench.url + "/bureau")
    page.fill("#login", "zhang.shen")
    page.fill("#password", PASSWORD)
    page.click("#password-login button[type=submit]")
    assert "张审" in page.inner_text("#me")
    page.click("nav.bureau-nav >> text=修复申请与异议")
    row = f"#request-{app['id']}"
    text = page.inner_text(row)
    assert "信用修复" in text and A in text and "已于2026-07-20补报2025年度报告并公示" in text
    assert page.inner_text(f"{row} .decide-by").startswith("2026-07-28")
    page.screenshot(path=str(ARTIFACTS / "workbench_application.png"), full_page=True)
    page.fill(f"#note-requests-{draft}", "已补报年报，准予移出")
    page.click(f"#decide-draft-{draft} button.approve")
    assert f"草稿 {draft} 已批准" in page.inner_text("#ok")
    assert page.locator(row).count() == 0
    with bench.engine.connect() as c:
        d = c.execute(sa.text("select action, actor, decision_no from roster_decisions "
                              "where request_id = :i and action <> 'propose'"), {"i": app["id"]}).mappings().all()
    assert [(r["action"], r["actor"]) for r in d] == [("remove", "account:zhang.shen")]
    # The applicant follows the application with the receipt token: decided, with the 文号.
    page.goto(f"{bench.url}/applications/{app['id']}?token={app['receipt_token']}")
    assert "已准予移出" in page.inner_text("#app-status")
    assert d[0]["decision_no"] and d[0]["decision_no"] in page.inner_text("body")
