"""The officers' workbench (issue 15): accounts, password sign-in and lockout, approvals checked by
role and authority and recorded with the account, nights as tables, the quarantine paged and as
CSV, the ``credit officers`` commands."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from credit.cli.commands.officers import app as officers_cli
from credit.settings import Settings, get_settings
from tests.db.api.support import A, C, D, Live, file_and_apply, run_night, seed_story
from tests.db.api.workbench_support import PASSWORD, bench, drafts, form_token, officer_session  # noqa: F401


def _login(h: httpx.Client, login: str, password: str) -> httpx.Response:
    return h.post("/bureau/login", data={"login": login, "password": password, "token": form_token(h, "/bureau")})


def _events(live: Live, login: str) -> list[str]:
    with live.engine.connect() as c:
        return list(c.execute(sa.text(
            "select e.event from api_session_events e join officers o on o.id = e.officer_id "
            "where o.login = :l order by e.id"), {"l": login}).scalars())


def test_password_sign_in_lockout_and_sign_out(bench: Live) -> None:  # noqa: F811
    with httpx.Client(base_url=bench.url, timeout=60) as h:
        assert _login(h, "nobody", PASSWORD).status_code == 401
        # Nothing filled in: asked for what is missing (it answered "密钥无效…", about the key form).
        r = _login(h, " ", "")
        assert r.status_code == 422 and "请填写用户名和密码" in r.text and "密钥无效" not in r.text
        for _ in range(5):
            r = _login(h, "zhang.shen", "wrong-password-123")
            assert r.status_code == 401 and "用户名或密码错误" in r.text
        # Locked: even the right password is refused, and the refusal is recorded.
        r = _login(h, "zhang.shen", PASSWORD)
        assert r.status_code == 423 and "已锁定" in r.text and "credit_session" not in h.cookies
    assert _events(bench, "zhang.shen") == ["login_refused"] * 5 + ["login_locked"]
    # Another account is not affected; it signs in, sees who it is, and signs out.
    with officer_session(bench, "li.ban") as h:
        page = h.get("/bureau").text
        assert "李办（办案人员，北京市朝阳区市场监督管理局）" in page
        assert h.post("/bureau/logout", data={"token": form_token(h, "/bureau")}).status_code == 303
        assert 'id="password-login"' in h.get("/bureau").text
    assert _events(bench, "li.ban") == ["login", "logout"]
    # The password is never stored as such.
    with bench.engine.connect() as c:
        stored = c.execute(sa.text("select password_hash from officers where login = 'li.ban'")).scalar_one()
    assert stored.startswith("scrypt$") and PASSWORD not in stored


def test_drafts_approved_by_role_and_authority_record_the_account(bench: Live) -> None:  # noqa: F811
    seed_story(bench)
    seqs = drafts(bench.engine)
    bench.clock["today"] = D("2026-07-16")
    with officer_session(bench, "li.ban") as h:          # 办案人员: may not approve
        page = h.get("/bureau/drafts").text
        assert f'id="draft-{seqs[A]}"' in page and "北京甲科技有限公司" in page
        r = h.post(f"/bureau/drafts/{seqs[A]}/decision", data={"decision": "approve",
                                                                "token": form_token(h, "/bureau/drafts")})
        assert r.status_code == 403 and "办案人员无权审批" in r.text
    with officer_session(bench, "wang.dong") as h:       # another authority's approver
        r = h.post(f"/bureau/drafts/{seqs[A]}/decision", data={"decision": "approve",
                                                                "token": form_token(h, "/bureau/drafts")})
        assert r.status_code == 403 and "北京市朝阳区市场监督管理局" in r.text
    with officer_session(bench, "zhang.shen") as h:      # a refused decision gives its note back
        r = h.post(f"/bureau/drafts/{seqs[A]}/decision", data={"decision": "maybe", "note": "已电话核实 <i>",
                                                                "token": form_token(h, "/bureau/drafts")})
        form = r.text[r.text.index(f'id="decide-draft-{seqs[A]}"'):].split("</form>", 1)[0]
        assert r.status_code == 422 and 'value="已电话核实 &lt;i&gt;"' in form
        other = r.text[r.text.index(f'id="decide-draft-{seqs[C]}"'):].split("</form>", 1)[0]
        assert 'value=""' in other
    with officer_session(bench, "zhang.shen") as h:
        r = h.post(f"/bureau/drafts/{seqs[A]}/decision", data={"decision": "approve", "officer": "冒名",
                                                                "token": form_token(h, "/bureau/drafts")})
        assert r.status_code == 303
        page = h.get(r.headers["location"]).text
        assert "已批准" in page and f'id="draft-{seqs[A]}"' not in page
        again = h.post(f"/bureau/drafts/{seqs[A]}/decision", data={"decision": "approve",
                                                                    "token": form_token(h, "/bureau/drafts")})
        error = re.search(r'<p class="error" role="alert">(.*?)</p>', again.text, re.S)
        assert again.status_code == 409 and error and error.group(1).startswith(f"未记录：草稿 {seqs[A]} 已经审批"), \
            again.text
        r = h.post(f"/bureau/drafts/{seqs[C]}/decision", data={"decision": "reject", "note": "已核实报送纸质年报",
                                                                "token": form_token(h, "/bureau/drafts")})
        assert r.status_code == 303
        # The confirmation line is built from fixed texts: nothing of the URL is shown as such.
        assert "已记录" not in h.get("/bureau/drafts", params={"done": "您的账号已停用，请致电", "ref": "1"}).text
        assert "停用" not in h.get("/bureau/drafts", params={"done": "approve", "ref": "停用"}).text
        # A form without its token changes nothing.
        assert h.post(f"/bureau/drafts/{seqs[C]}/decision", data={"decision": "approve"}).status_code == 403
    with bench.engine.connect() as c:
        rows = c.execute(sa.text("select action, actor, decision_date from roster_decisions "
                                 "where action in ('include', 'reject') order by seq")).mappings().all()
    assert [(r["action"], r["actor"], r["decision_date"]) for r in rows] == [
        ("include", "account:zhang.shen", D("2026-07-16")), ("reject", "account:zhang.shen", D("2026-07-16"))]


def test_objection_decided_on_the_workbench(bench: Live) -> None:  # noqa: F811
    seed_story(bench)
    bench.clock["today"] = D("2026-07-16")
    with officer_session(bench, "zhang.shen") as h:
        assert h.post(f"/bureau/drafts/{drafts(bench.engine)[A]}/decision",
                      data={"decision": "approve", "token": form_token(h, "/bureau/drafts")}).status_code == 303
    with bench.engine.connect() as c:
        listing = c.execute(sa.text("select seq from roster_decisions where action = 'include'")).scalar_one()
    bench.clock["today"] = D("2026-07-20")
    with bench.client("bureau") as h:
        obj = h.post("/v1/bureau/objections", json={"decision": str(listing), "received_on": "2026-07-20",
                                                    "grounds": "已按期报送年报"}).json()
    with officer_session(bench, "zhang.shen") as h:
        page = h.get("/bureau/requests").text
        row = re.search(rf'<tr id="request-{obj["id"]}">.*?</tr>', page, re.S)
        assert row and "异议" in row.group(0) and "已按期报送年报" in row.group(0)
        assert re.search(r'class="decide-by">\d{4}-\d\d-\d\d', row.group(0))
        r = h.post(f"/bureau/objections/{obj['id']}/decision",
                   data={"outcome": "", "note": "逾期未报送属实", "token": form_token(h, "/bureau/requests")})
        form = r.text[r.text.index(f'id="decide-objection-{obj["id"]}"'):].split("</form>", 1)[0]
        assert r.status_code == 422 and 'value="逾期未报送属实"' in form          # the reason is given back
        r = h.post(f"/bureau/objections/{obj['id']}/decision",
                   data={"outcome": "dismissed", "note": "逾期未报送属实", "token": form_token(h, "/bureau/requests")})
        assert r.status_code == 303
        assert "异议不成立" in h.get(r.headers["location"]).text
        # The same form sent again (a second click, the browser's back and resend) records nothing
        # and says so in Chinese: it read "未记录：objection N is already answered".
        again = h.post(f"/bureau/objections/{obj['id']}/decision",
                       data={"outcome": "dismissed", "note": "逾期未报送属实", "token": form_token(h, "/bureau/requests")})
        error = re.search(r'<p class="error" role="alert">(.*?)</p>', again.text, re.S)
        assert again.status_code == 409 and error and error.group(1).startswith(f"未记录：异议 {obj['id']} 已经作出答复")
        missing = h.post("/bureau/objections/999999/decision",
                         data={"outcome": "upheld", "token": form_token(h, "/bureau/requests")})
        assert missing.status_code == 409 and "没有编号为 999999 的异议" in missing.text
    with bench.engine.connect() as c:
        d = c.execute(sa.text("select action, actor, decision_no from roster_decisions where request_id = :i"),
                      {"i": obj["id"]}).mappings().one()
    assert d["action"] == "refuse" and d["actor"] == "account:zhang.shen" and d["decision_no"]


def test_application_decided_on_the_workbench(bench: Live) -> None:  # noqa: F811
    """A removal application: before the night it waits (待夜间批次审查), the night drafts the removal,
    a rejection needs a reason, and the approval removes the entry with the account recorded."""
    seed_story(bench)
    bench.clock["today"] = D("2026-07-16")
    with officer_session(bench, "zhang.shen") as h:
        assert h.post(f"/bureau/drafts/{drafts(bench.engine)[A]}/decision",
                      data={"decision": "approve", "token": form_token(h, "/bureau/drafts")}).status_code == 303
    app = file_and_apply(bench)

    def row(h: httpx.Client) -> str:
        m = re.search(rf'<tr id="request-{app["id"]}">.*?</tr>', h.get("/bureau/requests").text, re.S)
        assert m, "the application is listed"
        return m.group(0)

    with officer_session(bench, "zhang.shen") as h:
        before = row(h)
        assert "信用修复" in before and "待夜间批次审查" in before and "decide-draft-" not in before
        assert re.search(r'class="decide-by">\d{4}-\d\d-\d\d', before)
    run_night(bench.engine, bench.settings, "2026-07-22")
    with bench.engine.connect() as c:
        draft = c.execute(sa.text("select seq from roster_decisions where action = 'propose' and request_id = :i"),
                          {"i": app["id"]}).scalar_one()
    bench.clock["today"] = D("2026-07-23")
    with officer_session(bench, "zhang.shen") as h:
        after = row(h)
        assert f'id="decide-draft-{draft}"' in after and "待夜间批次审查" not in after
        token = form_token(h, "/bureau/requests")
        r = h.post(f"/bureau/drafts/{draft}/decision", data={"decision": "reject", "back": "requests", "token": token})
        assert r.status_code == 422 and "不予批准须填写理由" in r.text
        r = h.post(f"/bureau/drafts/{draft}/decision", data={"decision": "approve", "back": "requests", "token": token})
        assert r.status_code == 303 and r.headers["location"].startswith("/bureau/requests?done=approve")
        assert f'id="request-{app["id"]}"' not in h.get(r.headers["location"]).text
    with bench.engine.connect() as c:
        d = c.execute(sa.text("select action, actor, decision_date, decision_no from roster_decisions "
                              "where request_id = :i and action <> 'propose'"), {"i": app["id"]}).mappings().one()
    assert (d["action"], d["actor"], d["decision_date"]) == ("remove", "account:zhang.shen", D("2026-07-23"))
    assert d["decision_no"]
    with httpx.Client(base_url=bench.url, timeout=60) as h:
        page = h.get(f"/applications/{app['id']}", params={"token": app["receipt_token"]}).text
    assert "已准予移出" in page and d["decision_no"] in page


def _summary() -> dict[str, Any]:
    return {"night": "2026-07-15", "files": [
        {"file": "registration.csv", "source": "registration", "mode": "full", "rows_in": 1000, "accepted": 940,
         "quarantined": 60, "failures": [], "warnings": [{"code": "x"}]}],
        "rosters": {"decisions": 3, "by_roster_action": {"abnormal:include": 2, "abnormal:propose": 1},
                    "chain_head": {"seq": 3, "hash": "ab"}},
        "grading": {"graded": 940, "distribution": {"A": 600, "B": 300, "C": 30, "D": 10},
                    "report": "/srv/credit/reports/2026-07-15/index.html"}}


def test_nights_as_tables_and_the_quarantine_paged_and_downloaded(bench: Live) -> None:  # noqa: F811
    with bench.engine.begin() as c:
        c.execute(sa.text("insert into night_runs values ('2026-07-15', 'd', 'cfg-1', "
                          "'2026-07-15 19:05:01.123456+00', '2026-07-15 19:12:09.654321+00', cast(:s as jsonb))"),
                  {"s": json.dumps(_summary())})
        for i in range(60):
            raw = {"uscc": f"=HYPERLINK({i})" if i == 0 else f"代码{i}", "name": "某公司"}
            c.execute(sa.text("insert into quarantine values ('2026-07-15', 'registration.csv', :l, 'registration', "
                              "'uscc_check', '统一社会信用代码校验码错误', cast(:r as jsonb))"),
                      {"l": i + 2, "r": json.dumps(raw, ensure_ascii=False)})
    with officer_session(bench, "li.ban") as h:
        page = h.get("/bureau/nights").text
        assert "2026-07-16 03:12:09" in page                # the bureau's clock, to the second
        assert not re.search(r"\d\d:\d\d:\d\d\.\d", page) and "{'" not in page and "/srv/" not in page
        for text in ("经营异常名录", "列入", "拟作决定（草稿）", "信用风险低", "63.8%", "registration.csv"):
            assert text in page, text
        # counts read in groups of three digits, as a province's millions must be read
        assert '<td class="num">1,000</td>' in page and "1,000 / 940 / 60 行" in page
        q = h.get("/bureau/nights/2026-07-15/quarantine").text
        assert "共隔离 60 行" in q and "第 1–50 行" in q and q.count('<td class="raw">') == 50
        q2 = h.get("/bureau/nights/2026-07-15/quarantine", params={"page": 2}).text
        assert q2.count('<td class="raw">') == 10 and "代码59" in q2
        csv = h.get("/bureau/nights/2026-07-15/quarantine.csv")
        assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
        assert csv.content.startswith(b"\xef\xbb\xbf")
        lines = csv.content.decode("utf-8-sig").splitlines()
        assert len(lines) == 61 and lines[0] == "文件,行号,规则,原因,原始内容"
        assert bad_date(h)
        # A night never published is said to be one, not shown as a night with nothing held back.
        for path in ("/bureau/nights/2099-01-01/quarantine", "/bureau/notices?night=2099-01-01"):
            r = h.get(path)
            assert r.status_code == 404 and "2099-01-01 没有已发布的夜间批次" in r.text and "共隔离 0 行" not in r.text
        r = h.get("/bureau/nights/2099-01-01/quarantine.csv")
        assert r.status_code == 404 and "没有已发布的夜间批次" in r.text
    # Signed out: neither the pages nor the download.
    with httpx.Client(base_url=bench.url, timeout=60) as h:
        assert h.get("/bureau/nights/2026-07-15/quarantine.csv").status_code == 403
        assert "代码1" not in h.get("/bureau/nights/2026-07-15/quarantine").text


def bad_date(h: httpx.Client) -> bool:
    return h.get("/bureau/nights/2026-13-45/quarantine").status_code == 422


def test_officers_cli(engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CREDIT_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("CREDIT_HOME", str(settings.home))
    get_settings.cache_clear()
    try:
        run = CliRunner().invoke
        r = run(officers_cli, ["add", "zhao.shen", "--name", "赵审", "--role", "approver", "--authority", "110105",
                               "--password-stdin"], input="长长的口令-abcdefg\n")
        assert r.exit_code == 0 and "北京市朝阳区市场监督管理局" in r.output, r.output
        assert run(officers_cli, ["add", "zhao.shen", "--name", "赵", "--role", "approver", "--authority", "110105",
                                  "--password-stdin"], input="长长的口令-abcdefg\n").exit_code == 2
        assert run(officers_cli, ["add", "qian", "--name", "钱", "--role", "boss", "--authority", "110105",
                                  "--password-stdin"], input="长长的口令-abcdefg\n").exit_code == 2
        assert run(officers_cli, ["add", "qian", "--name", "钱", "--role", "officer", "--authority", "110105",
                                  "--password-stdin"], input="short\n").exit_code == 2
        # The password is never an argument.
        assert run(officers_cli, ["add", "qian", "--name", "钱", "--role", "officer", "--authority", "110105",
                                  "--password", "长长的口令-abcdefg"]).exit_code != 0
        r = run(officers_cli, ["list", "--json"])
        [acc] = json.loads(r.output)
        assert acc["login"] == "zhao.shen" and acc["role_label"] == "审核人员" and "password_hash" not in acc
        assert run(officers_cli, ["password", "zhao.shen", "--password-stdin"], input="另一个长口令-xyz123\n").exit_code == 0
        assert run(officers_cli, ["disable", "zhao.shen"]).exit_code == 0
        assert run(officers_cli, ["disable", "zhao.shen"]).exit_code == 2
        with engine.connect() as c:
            assert c.execute(sa.text("select disabled_at is not null from officers")).scalar_one()
    finally:
        get_settings.cache_clear()


def test_the_draw_page_shows_the_seed_source_a_provisional_window_and_staffing(bench: Live) -> None:  # noqa: F811
    # An outsider's acceptance pass: the page showed "随机种子承诺值 —" for a plan fixed by a public
    # seed source, and a window cut at an unpublished calendar year as final (the CLI said 暂定).
    from credit.draws import store
    from tests.db.draws.helpers import AS_OF, load_store

    load_store(bench.engine, divisions=("信用监督管理科", "食品生产安全监督管理科", "广告监督管理科"))
    source = "上证综指 2026-12-04 收盘价"
    bench.clock["today"] = D("2026-12-02")
    with bench.engine.begin() as c:
        late = store.plan_draw(c, "annual_report", D("2026-12-01"), bench.settings, public_seed_source=source,
                              today=bench.clock["today"])
        ad = store.plan_draw(c, "advertising", AS_OF, bench.settings, public_seed_source="x", today=AS_OF)
    with officer_session(bench, "zhang.shen") as h:
        page = h.get(f"/bureau/draws/{late}").text
        ad_page = h.get(f"/bureau/draws/{ad}").text
    assert "公开种子来源" in page and source in page and "随机种子承诺值" not in page
    note = page.split('id="schedule-note"', 1)[1].split("</div>", 1)[0]
    assert "暂定" in note and "2027" in note and "provisional" not in note   # the page is Chinese
    assert 'id="schedule-note"' not in ad_page
    # The matter's competent inspectors, and the entities no team can ever be found for (§8).
    staffing = ad_page.split('id="staffing"', 1)[1].split("</tr>", 1)[0]
    assert "广告发布行为检查" in staffing and "3 人" in staffing and "不足 2 人" in staffing
    assert "无法安排检查" in staffing and "fewer" not in staffing


def test_draws_planned_and_drawn_on_the_workbench(bench: Live) -> None:  # noqa: F811
    from credit.draws import core
    from tests.db.draws.helpers import SEED, load_store

    load_store(bench.engine)
    bench.clock["today"] = D("2026-09-02")
    plan = {"matter": ["annual_report"], "as_of": "2026-09-01", "seed_commitment": core.seed_commitment(SEED)}
    with officer_session(bench, "li.ban") as h:          # 办案人员: may not fix a task
        r = h.post("/bureau/draws/plan", data={**plan, "token": form_token(h, "/bureau/draws")})
        assert r.status_code == 403 and "无权审批" in r.text
    with officer_session(bench, "zhang.shen") as h:
        r = h.post("/bureau/draws/plan", data={**plan, "token": form_token(h, "/bureau/draws")})
        assert r.status_code == 303, r.text
        page = h.get("/bureau/draws").text
        assert "DRAW-20260901-001" in page and "企业年度报告等公示信息抽查" in page and "待抽取" in page
        r = h.post("/bureau/draws/DRAW-20260901-001/run", data={"seed": "wrong", "token": form_token(h, "/bureau/draws")})
        assert r.status_code == 409
        # Its inspection window (from 2026-09-08) has begun on the bureau's day: refused, as a plan would be.
        bench.clock["today"] = D("2026-09-09")
        r = h.post("/bureau/draws/DRAW-20260901-001/run", data={"seed": SEED, "token": form_token(h, "/bureau/draws")})
        assert r.status_code == 409 and "检查期间为 2026-09-08 至" in r.text and "请重新制定计划" in r.text, r.text[-800:]
        page = h.get("/bureau/draws").text   # the list offers no draw for it, and says why
        assert "检查期间已于 2026-09-08 开始，不能抽取，请重新制定计划" in page
        assert 'action="/bureau/draws/DRAW-20260901-001/run"' not in page
        bench.clock["today"] = D("2026-09-02")
        assert 'action="/bureau/draws/DRAW-20260901-001/run"' in h.get("/bureau/draws").text
        r = h.post("/bureau/draws/DRAW-20260901-001/run", data={"seed": SEED, "token": form_token(h, "/bureau/draws")})
        assert r.status_code == 303
        page = h.get("/bureau/draws/DRAW-20260901-001").text
        assert "抽取结果" in page and "统一社会信用代码" in page and "检查人员" in page
        assert "[" not in re.sub(r"<[^>]+>", "", page.split('id="inspections"')[1])   # no Python lists
    # Review item 4: states, matters, strata and notes were English and codes. A recusal and a
    # closed entity give the page the notes a redraw writes.
    from credit.draws import read, store

    with bench.engine.connect() as c:
        rec = read.full_record(c, "DRAW-20260901-001")
    first, second = rec["inspections"][0], rec["inspections"][1]
    with bench.engine.begin() as c:   # a redraw for a closed entity needs the store to say it closed
        c.execute(sa.text("update registration set status = 'cancelled' where uscc = :u"), {"u": second["uscc"]})
        store.redraw(c, "DRAW-20260901-001", first["uscc"], "inspector_recused", "亲属关系", bench.settings,
                     inspector_id=first["inspectors"][0]["inspector_id"])
        store.redraw(c, "DRAW-20260901-001", second["uscc"], "entity_closed", "注销", bench.settings)
    with officer_session(bench, "zhang.shen") as h:
        page = h.get("/bureau/draws/DRAW-20260901-001").text
    main = page.split("<main>", 1)[1].split("</main>", 1)[0]
    visible = re.sub(r"<[^>]*>", " ", re.sub(r"<code>[^<]*</code>", " ", main))
    assert re.findall(r"[A-Za-z]{2,}", visible) == [], visible
    table = visible.split("抽取结果", 1)[1]
    for words in ("企业年度报告等公示信息抽查", "已安排", "已取消", "信用风险一般", "回避", "主体已关闭", "替补"):
        assert words in table, words
    assert 'title="annual_report:B"' in main and 'title="assigned"' in main   # the codes, for who needs them


def test_the_api_role_signs_officers_in_but_cannot_change_accounts(engine) -> None:  # type: ignore[no-untyped-def]
    """0018: the API role (credit_api) reads accounts, records sign-ins and keeps sessions of
    officers; it can neither change a password nor re-enable an account."""
    from credit.api.officers import Lockout, add_officer, authenticate, disable_officer
    from credit.api.sessions import SessionPolicy, session_principal, start_session
    from tests.db.security.test_roles import DENIED, as_role

    with engine.begin() as c:
        add_officer(c, "zhou.shen", "周审", "approver", "110105", PASSWORD)
    policy = SessionPolicy()
    with as_role(engine, "credit_api") as c:
        assert authenticate(c, "zhou.shen", "wrong-password-1", Lockout(), "127.0.0.1").refusal == "unknown"
        out = authenticate(c, "zhou.shen", PASSWORD, Lockout(), "127.0.0.1")
        assert out.officer is not None
        from credit.api.auth import Principal

        who = Principal("bureau", None, "zhou.shen", None, officer_id=out.officer["id"], officer_role="approver",
                        authority="110105")
        sid = start_session(c, who, "127.0.0.1", policy)
        me = session_principal(c, sid, policy)
        assert me is not None and me.actor == "account:zhou.shen" and me.authority == "110105"
        for sql in ("update officers set password_hash = 'x'", "update officers set disabled_at = null",
                    "insert into officers (login, display_name, role, authority, password_hash) "
                    "values ('evil', 'e', 'admin', '110105', 'x')"):
            with pytest.raises(sa.exc.ProgrammingError, match=DENIED):
                with c.begin_nested():
                    c.exec_driver_sql(sql)
    # Disabling the account ends its live session at once.
    with engine.begin() as c:
        sid = start_session(c, who, "127.0.0.1", policy)
    with engine.begin() as c:
        assert session_principal(c, sid, policy) is not None
        assert disable_officer(c, "zhou.shen")
        assert session_principal(c, sid, policy) is None
        assert authenticate(c, "zhou.shen", PASSWORD, Lockout(), None).officer is None


def test_a_refused_draw_plan_says_why_in_chinese_and_keeps_the_form(bench: Live) -> None:  # noqa: F811
    """The plan form's refusals were the command line's English ("give exactly one of
    --seed-commitment HEX …", "scope 'abc' is not …"), a list date after today went on to a calendar
    refusal, and every refusal gave the form back empty."""
    from tests.db.draws.helpers import load_store

    load_store(bench.engine)
    bench.clock["today"] = D("2026-09-02")
    cases = [
        ({"matter": ["annual_report"], "as_of": "2026-09-01"}, 409, "只填一项"),
        ({"matter": ["annual_report"], "as_of": "2026-09-01", "seed_commitment": "zz"}, 409, "64 位十六进制"),
        ({"matter": ["annual_report"], "as_of": "2026-09-01", "scope": "abc", "public_seed_source": "上证"}, 409,
         "不是行政区划代码"),
        ({"matter": ["bogus"], "as_of": "2026-09-01", "public_seed_source": "上证"}, 409, "不在抽查事项清单内"),
        ({"matter": ["annual_report"], "as_of": "2026-09-03", "public_seed_source": "上证"}, 422, "晚于今天"),
    ]
    with officer_session(bench, "zhang.shen") as h:
        for data, status, words in cases:
            r = h.post("/bureau/draws/plan", data={**data, "token": form_token(h, "/bureau/draws")})
            assert r.status_code == status, (data, r.text)
            error = re.search(r'<p class="error" role="alert">(.*?)</p>', r.text, re.S)
            assert error and words in error.group(1), (data, error)
            assert re.match(r"(未记录：)?[\u4e00-\u9fff]", error.group(1)), error.group(1)   # Chinese first
            form = r.text.split('id="draw-plan"', 1)[1]
            assert f'value="{data["as_of"]}"' in form
            for key in ("scope", "seed_commitment", "public_seed_source"):
                if key in data:
                    assert f'name="{key}"' in form and f'value="{data[key]}"' in form, key
            if data["matter"] == ["annual_report"]:
                assert 'value="annual_report" checked' in form
        assert "DRAW-" not in h.get("/bureau/draws").text.split('id="draw-plan"')[0]   # nothing was planned
        r = h.post("/bureau/draws/NOPE/run", data={"seed": "1", "token": form_token(h, "/bureau/draws")})
        error = re.search(r'<p class="error" role="alert">(.*?)</p>', r.text, re.S)
        assert r.status_code == 409 and error and error.group(1).startswith("未抽取：没有抽查任务「NOPE」"), error
