"""More end-to-end stories over HTTP: serious-list repair dates under order 107 and before it,
published inspection results versus draws in progress, and the command line of the API area."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from typer.testing import CliRunner

from credit.rosters import repair
from tests.db.api.support import (  # noqa: F401
    SECRET_REP,
    A,
    B,
    C,
    D,
    annual_report,
    file_and_apply,
    live,
    make_uscc,
    register,
    run_night,
    seed_story,
)

S1, S2 = make_uscc(11), make_uscc(12)


def _serious(live) -> None:  # noqa: F811
    """Two legacy serious-list listings, loaded through the rosters' own import function."""
    with live.engine.begin() as c:
        register(c, S1, "北京严重甲食品有限公司")
        register(c, S2, "北京严重乙食品有限公司")
        for u in (S1, S2):   # reports filed in time: only the serious listing is on record
            annual_report(c, u, 2025, "2026-04-01")
        for u, day, no in ((S1, "2025-09-01", "京市监严〔2025〕1号"), (S2, "2024-01-10", "京市监严〔2024〕7号")):
            repair.import_decision(c, uscc=u, roster="serious", rule_id="ser.include.heavier_penalty",
                                   decided_on=date.fromisoformat(day), decision_no=no, region_code="110105",
                                   facts={"case_no": f"case-{u}"}, settings=live.settings)
    run_night(live.engine, live.settings, "2026-09-28")


def test_serious_list_dates_order_107_and_before(live) -> None:  # noqa: F811
    _serious(live)
    live.clock["today"] = D("2026-09-28")
    with live.client() as h:
        doc = h.get(f"/v1/entities/{S1}").json()
        (e,) = doc["rosters"]
        assert e["roster"] == "serious" and e["state"] == "listed"
        # One full year on the list first; automatic removal when three years are full (domain.md §4, §13 ex. 9).
        assert e["repair"]["apply_from"] == "2026-09-02"
        assert e["repair"]["expires_on"] == "2028-09-02"
        assert e["repair"]["decide_within"] == "7个工作日"
    run_night(live.engine, live.settings, "2026-09-29")   # counter receipts reach at most the latest night
    live.clock["today"] = D("2026-09-29")                 # and never a day after today (issue 14)
    with live.client("bureau") as h:
        too_early = h.post("/v1/bureau/repair-applications", json={
            "uscc": S1, "roster": "serious", "grounds": "x", "received_on": "2026-01-05"}).json()
        assert "未满一年" in (too_early["note"] or "")
        old = h.post("/v1/bureau/repair-applications", json={
            "uscc": S2, "roster": "serious", "grounds": "申请提前移出", "received_on": "2025-03-03"}).json()
        # Before order 107: 15 WD under the 2021 rules.
        assert old["decide_by"] == "2025-03-24" and old["rule"].startswith("ser.remove.early@2021-09-01")
        # The counter's second application on S1's entry while the first is pending is refused,
        # whichever date it carries (one application, one answer)…
        again = h.post("/v1/bureau/repair-applications", json={
            "uscc": S1, "roster": "serious", "grounds": "y", "received_on": "2026-09-29"})
        assert again.status_code >= 400 and str(too_early["id"]) in again.text
    run_night(live.engine, live.settings, "2026-09-30")   # … until the night answers the first
    live.clock["today"] = D("2026-09-30")
    with live.client("bureau") as h:
        new = h.post("/v1/bureau/repair-applications", json={
            "uscc": S1, "roster": "serious", "grounds": "已履行处罚决定，消除不良影响", "received_on": "2026-09-29",
            "documents": ["守信承诺书"]}).json()
        # Order 107 (from 2025-12-25): 7 WD → Wed 2026-10-14 across the National Day block (§13 ex. 9).
        assert new["decide_by"] == "2026-10-14"
    # The applicant's own page says it in Chinese alone (the note's English aside stays with the API).
    live.clock["today"] = D("2026-01-05")
    with live.client() as h:
        mine = h.post("/v1/repair-applications", json={"uscc": S1, "roster": "serious", "grounds": "申请提前移出"}).json()
        page = h.get(f"/applications/{mine['id']}", params={"token": mine["receipt_token"]}).text
    assert "列入严重违法失信名单未满一年，不予提前移出；可于2026-09-02起申请" in page and "too early" not in page


def test_a_restriction_past_the_automatic_removal_the_receipt_page_and_api_say_what_the_night_does(live) -> None:  # noqa: F811
    # domain.md §4: no early removal while a restriction of the penalty runs, the longer period
    # governs. S1's listing (2025-09-01) leaves the list by itself on 2028-09-02; a practice ban to
    # 2029-01-01 leaves no early-removal date. The receipt checked the year alone and the night then
    # refused "可于<the automatic removal>起申请" (an outsider's acceptance pass).
    from tests.db.rosters.helpers import penalty

    _serious(live)
    with live.engine.begin() as c:
        penalty(c, f"case-{S1}", S1, "2025-08-20", measures=("fine", "practice_ban"), fulfilled_on="2025-09-10",
                restricted_until="2029-01-01")
    said = "限制期限届满前不予提前移出严重违法失信名单；列入期限届满将于2028-09-02自动移出，无提前移出日期"
    live.clock["today"] = D("2026-09-28")
    with live.client() as h:
        (e,) = h.get(f"/v1/entities/{S1}").json()["rosters"]
        assert e["repair"]["apply_from"] is None and said in e["repair"]["apply_note"]
        assert "起申请" not in e["repair"]["apply_note"]
        mine = h.post("/v1/repair-applications", json={"uscc": S1, "roster": "serious", "grounds": "申请提前移出"}).json()
        assert said in (mine["note"] or "")
        page = h.get(f"/applications/{mine['id']}", params={"token": mine["receipt_token"]}).text
        assert said in page and "no early removal" not in page
        entity_page = h.get("/entity", params={"uscc": S1}).text
        assert said in entity_page
    run_night(live.engine, live.settings, "2026-09-29")
    with live.engine.begin() as c:
        reason = c.execute(sa.text("select reason from roster_decisions where action = 'refuse' and request_id = :i"),
                           {"i": mine["id"]}).scalar_one()
    assert said in reason and "起申请" not in reason and reason in mine["note"]


def test_published_results_are_public_draws_in_progress_are_not(live) -> None:  # noqa: F811
    from credit.draws import core, plan_draw, run_draw

    seed = "2026-09-01 lottery 01 02 03"
    usccs = [make_uscc(100 + i) for i in range(120)]   # 2 % of tier B: 3 drawn
    with live.engine.begin() as c:
        for i, u in enumerate(usccs):
            register(c, u, f"北京抽查{i}有限公司")
        c.execute(sa.text("""
            insert into inspectors (inspector_id, name, department, region_code, fields, active, conflicts,
                                    first_night, last_night)
            values (:i, :n, '信用监督管理科', '110105', :f, true, :c, '2026-08-01', '2026-08-01')"""),
            [{"i": f"INS{j:03d}", "n": f"检查员{j}", "f": ["C", "F"], "c": []} for j in range(6)])
        draw_id = plan_draw(c, "annual_report", D("2026-09-01"), live.settings, seed_commitment=core.seed_commitment(seed),
                             today=D("2026-09-01"))
    with live.engine.begin() as c:
        run_draw(c, draw_id, seed, live.settings, today=D("2026-09-01"))
        drawn = c.execute(sa.text("select distinct uscc from draw_inspections where draw_id = :d order by uscc"),
                          {"d": draw_id}).scalars().all()
        assert len(drawn) >= 2
        c.execute(sa.text("""insert into inspection_results (task_id, uscc, inspected_on, result_code, result, doc_no,
                             first_night, last_night) values (:t, :u, '2026-09-10', 'normal', '未发现问题', 'J-1',
                             '2026-09-11', '2026-09-11')"""), {"t": draw_id, "u": drawn[0]})
    live.clock["today"] = D("2026-09-15")
    with live.client() as h:
        res = h.get(f"/v1/inspection-results/{draw_id}").json()["results"]
        assert [r["uscc"] for r in res] == [drawn[0]] and res[0]["result"] == "未发现问题"
        assert h.get("/v1/inspection-results").json()["tasks"] == [{"task_id": draw_id, "results": 1}]
        assert h.get("/v1/inspection-results/NO-SUCH-TASK").status_code == 404
        assert h.get(f"/v1/bureau/draws/{draw_id}").status_code == 403
    with live.client("bureau") as h:
        full = h.get(f"/v1/bureau/draws/{draw_id}").json()
        assert sorted(i["uscc"] for i in full["inspections"]) == list(drawn)
        assert h.get("/v1/bureau/draws").json()["draws"][0]["drawn"] is True


# Review item 3: results the drop delivered for a task not drawn here (an earlier task, another
# department's joint task) were unreadable: the list was empty and the task 404.
def test_results_of_tasks_not_drawn_here_are_published(live) -> None:  # noqa: F811
    u1, u2 = make_uscc(300), make_uscc(301)
    with live.engine.begin() as c:
        register(c, u1, "北京外部抽查一有限公司")
        register(c, u2, "北京外部抽查二有限公司")
        c.execute(sa.text("""insert into inspection_results (task_id, uscc, inspected_on, result_code, result, doc_no,
                             first_night, last_night) values ('T2026-0001', :u, '2026-09-10', :r, null, 'J-2',
                             '2026-09-11', '2026-09-11')"""), [{"u": u1, "r": "normal"}, {"u": u2, "r": "unreachable"}])
    live.clock["today"] = D("2026-09-15")
    with live.client() as h:
        assert {"task_id": "T2026-0001", "results": 2} in h.get("/v1/inspection-results").json()["tasks"]
        r = h.get("/v1/inspection-results/T2026-0001")
        assert r.status_code == 200, r.text
        res = {x["uscc"]: x for x in r.json()["results"]}
        assert set(res) == {u1, u2} and res[u1]["name"] == "北京外部抽查一有限公司"
        assert res[u1]["result"] == "未发现问题" and res[u2]["result"] == "通过登记的住所（经营场所）无法联系"
        assert res[u1]["status"] == "published" and res[u1]["publish_by"]
        assert h.get("/v1/inspection-results/T2026-0002").status_code == 404


def test_cli_keys_and_certificate_verify(live, monkeypatch, tmp_path) -> None:  # noqa: F811
    from credit.cli.commands.api import api_app, certificate_app
    from credit.settings import get_settings

    monkeypatch.setenv("CREDIT_DATABASE_URL", live.settings.database_url)
    monkeypatch.setenv("CREDIT_HOME", str(live.settings.home))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        made = runner.invoke(api_app, ["keys", "create", "--role", "consumer", "--name", "某银行授信部"])
        assert made.exit_code == 0, made.output
        key = made.output.strip().splitlines()[-1]
        assert key.startswith("crk_")
        with live.engine.connect() as c:
            stored = c.execute(sa.text("select key_hash, role from api_keys where name = '某银行授信部'")).one()
        assert stored.role == "consumer" and key not in stored.key_hash and len(stored.key_hash) == 64
        root = runner.invoke(api_app, ["keys", "create", "--role", "root", "--name", "x"])
        assert root.exit_code == 2 and "--role 须为" in root.output
        for bad in (["--role", "licensing", "--name", "x"],
                    ["--role", "licensing", "--name", "x", "--department", "食品生产许可"],
                    ["--role", "bureau", "--name", "x", "--department", "教育局"]):
            assert runner.invoke(api_app, ["keys", "create", *bad]).exit_code == 2, bad
        dept = runner.invoke(api_app, ["keys", "create", "--role", "licensing", "--name", "区教育局",
                                       "--department", "教育局"])
        assert dept.exit_code == 0 and "许可部门 licensing，教育局" in dept.output, dept.output
        listed = runner.invoke(api_app, ["keys", "list"], env={"COLUMNS": "200"})
        assert listed.exit_code == 0, listed.output
        assert "API 密钥" in listed.output and "角色 role" in listed.output and "联合惩戒使用单位 consumer" in listed.output
        seed_story(live)
        import httpx

        with httpx.Client(base_url=live.url, headers={"X-API-Key": key}) as h:
            cert = h.post("/v1/screenings", json={"usccs": [A, C], "as_of": "2026-07-15"}).json()
        f = tmp_path / "cert.json"
        f.write_text(json.dumps(cert, ensure_ascii=False), encoding="utf-8")
        ok = runner.invoke(certificate_app, ["verify", str(f)])
        assert ok.exit_code == 0 and "valid" in ok.output, ok.output
        cert["results"][0]["entries"][0]["decision_no"] = "伪造〔2026〕1号"
        f.write_text(json.dumps(cert, ensure_ascii=False), encoding="utf-8")
        bad = runner.invoke(certificate_app, ["verify", str(f)])
        assert bad.exit_code == 1 and "invalid" in bad.output
        f.write_text("{not json", encoding="utf-8")
        assert runner.invoke(certificate_app, ["verify", str(f)]).exit_code == 2
    finally:
        get_settings.cache_clear()


def test_bureau_records_decisions_on_drafts_of_repair(engine, settings, tmp_path) -> None:
    """With drafts switched on (config/rosters.yaml), the night only proposes; an officer's decision
    over the API makes the listing and, after a repair application, the removal."""
    import shutil

    import yaml

    from credit.api import create_app
    from credit.api.auth import create_key
    from credit.settings import Settings
    from tests.db.api.support import Live, ServerThread

    cfg = tmp_path / "config"
    shutil.copytree(settings.config_dir, cfg)
    doc = yaml.safe_load((cfg / "rosters.yaml").read_text(encoding="utf-8"))
    doc["drafts"]["abnormal"] = [{"from": "2014-01-01", "drafts": True}]
    doc["version"] = "rosters-test-drafts"
    (cfg / "rosters.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    s = Settings(database_url=settings.database_url, home=settings.home, config_dir=cfg)
    clock = {"today": D("2026-07-15")}
    with engine.begin() as c:
        keys = {r: create_key(c, r, f"科员{r}", "t", 100_000)[1] for r in ("consumer", "bureau")}
    with ServerThread(create_app(s, today=lambda: clock["today"])) as srv:
        lv = Live(srv.url, engine, s, clock, keys)
        seed_story(lv)
        with lv.client("consumer") as h:
            assert h.get("/v1/decisions").json()["decisions"] == []     # drafts are not decisions
        with lv.client() as h:
            assert h.get(f"/v1/entities/{A}").json()["listed"] is False
        with engine.connect() as c:
            drafts = dict(c.execute(sa.text("select uscc, seq from roster_decisions where action = 'propose'")).all())
        with lv.client("bureau") as h:
            watch = h.get("/v1/bureau/deadlines", params={"on": "2026-07-15"}).json()["items"]
            assert {w["uscc"] for w in watch if w["kind"].startswith("draft")} == {A, C}
            clock["today"] = D("2026-07-16")
            ok = h.post(f"/v1/bureau/drafts/{drafts[A]}/decision", json={"approve": True, "on": "2026-07-16"})
            assert ok.status_code == 201 and ok.json()["action"] == "include", ok.text
            no = h.post(f"/v1/bureau/drafts/{drafts[C]}/decision", json={"approve": False, "on": "2026-07-16",
                                                                          "note": "核实已报送纸质年报"})
            assert no.json()["action"] == "reject"
            assert h.post(f"/v1/bureau/drafts/{drafts[C]}/decision",
                          json={"approve": True, "on": "2026-07-16"}).status_code == 409
        run_night(engine, s, "2026-07-16")
        app = file_and_apply(lv)
        run_night(engine, s, "2026-07-22")
        with engine.connect() as c:
            removal = c.execute(sa.text("select seq from roster_decisions where action = 'propose' "
                                        "and proposed_action = 'remove'")).scalar_one()
        clock["today"] = D("2026-07-23")
        with lv.client("bureau") as h:
            assert h.post(f"/v1/bureau/drafts/{removal}/decision",
                          json={"approve": True, "on": "2026-07-23"}).status_code == 201
        with lv.client() as h:
            st = h.get(f"/v1/repair-applications/{app['id']}", params={"token": app["receipt_token"]}).json()
        assert st["status"] == "removed" and st["decisions"][0]["decision_date"] == "2026-07-23"
        with lv.client("consumer") as h:
            feed = h.get("/v1/decisions").json()["decisions"]
        assert [(d["uscc"], d["action"]) for d in feed] == [(A, "include"), (A, "remove")]


def test_the_change_feed_names_the_penalty_case_of_serious_list_decisions(live) -> None:  # noqa: F811
    # A serious-list listing follows a penalty case (domain.md §4); the feed names it, on the
    # listing and on what closes or answers it (taken from the listing, entry_id): s28drop gap 3.
    _serious(live)
    run_night(live.engine, live.settings, "2026-09-29")
    live.clock["today"] = D("2026-09-29")
    with live.client("bureau") as h:
        assert h.post("/v1/bureau/repair-applications", json={
            "uscc": S1, "roster": "serious", "grounds": "已履行处罚决定，消除不良影响",
            "received_on": "2026-09-29"}).status_code in (200, 201)
    for night in ("2026-09-30", "2026-10-09", "2026-10-10", "2026-10-11", "2026-10-12", "2026-10-13", "2026-10-14"):
        run_night(live.engine, live.settings, night)
    with live.client("consumer") as h:
        feed = [d for d in h.get("/v1/decisions").json()["decisions"] if d["roster"] == "serious"]
    assert {(d["uscc"], d["action"]) for d in feed} >= {(S1, "include"), (S2, "include")}
    assert any(d["action"] != "include" and d["uscc"] == S1 for d in feed), feed
    assert all(d["case_no"] == f"case-{d['uscc']}" for d in feed), feed


def test_legacy_history_imported_before_the_first_night_is_answered(live) -> None:  # noqa: F811
    """The system's history starts at the earliest imported decision when legacy listings were loaded
    before the first night (domain.md §3.5, §10): a day between the two is answered from them, and
    only a day before every record is refused (an outside review: as_of 2025-06-01 was refused
    though the 2024 listing is on record)."""
    _serious(live)
    with live.client() as h:
        doc = h.get(f"/v1/entities/{S2}", params={"as_of": "2025-06-01"})
        assert doc.status_code == 200, doc.text
        assert [e["state"] for e in doc.json()["rosters"]] == ["listed"]
        assert h.get(f"/v1/entities/{S2}", params={"as_of": "2024-01-09"}).status_code == 422
