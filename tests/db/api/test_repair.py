"""Repair dates, duplicate applications and visibility over HTTP, after the rosters' change: for
abnormal-roster causes 3 and 4 the 5-WD removal limit runs from 查实 of the cure (68号令 arts.
13–14), not from receipt; due dates are derived when read; a second pending application is refused."""

from __future__ import annotations

import json
import re

import httpx
import sqlalchemy as sa

from tests.db.api.support import (  # noqa: F401
    A,
    C,
    D,
    annual_report,
    file_and_apply,
    live,
    make_uscc,
    page_token,
    register,
    run_night,
    seed_story,
    signed_in,
)
from tests.db.rosters.helpers import finding

U = make_uscc(41)   # 丁: cannot be reached at its registered address (cause 4)


def _unreachable(live) -> None:  # noqa: F811
    """丁 filed its report in time; the bureau finds it unreachable on 07-01 and lists it that night."""
    with live.engine.begin() as c:
        register(c, U, "北京丁物流有限公司")
        annual_report(c, U, 2025, "2026-03-01")
        finding(c, "F-U1", U, "unreachable_address", "2026-07-01")
    run_night(live.engine, live.settings, "2026-07-01")


def test_outlook_for_unreachable_waits_for_the_cure_and_shows_the_application_window(live) -> None:  # noqa: F811
    _unreachable(live)
    live.clock["today"] = D("2026-07-02")
    with live.client() as h:
        (e,) = h.get(f"/v1/entities/{U}").json()["rosters"]
        assert e["cause_code"] == "unreachable" and e["state"] == "listed"
        out = e["repair"]
        # No cure established yet: no decide-by date (not 5 WD after today), and why.
        assert out["decide_by_if_applied_today"] is None and out["decide_by_provisional"] is None
        assert "查实" in out["decide_by_note"]
        # 68号令 art. 10: apply within 3 years of inclusion.
        assert out["apply_until"] == "2029-07-01"
        assert e["cure_established_on"] is None
        page = h.get("/entity", params={"uscc": U}).text
        assert "2029-07-01" in page and "查实" in page and 'class="decide-by"' not in page
    # Contact is restored (查实 on 07-06) and published with the night: 5 WD from today (≥ the finding).
    with live.engine.begin() as c:
        finding(c, "F-U2", U, "contact_restored", "2026-07-06")
    run_night(live.engine, live.settings, "2026-07-06")
    live.clock["today"] = D("2026-07-07")
    with live.client() as h:
        (e,) = h.get(f"/v1/entities/{U}").json()["rosters"]
        assert e["cure_established_on"] == "2026-07-06"
        assert e["repair"]["decide_by_if_applied_today"] == "2026-07-14"
        assert e["repair"]["decide_by_note"] is None
    # A cause-1 entry keeps counting from receipt, and shows its window too.
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with live.client() as h:
        (e,) = h.get(f"/v1/entities/{C}").json()["rosters"]
        assert e["repair"]["decide_by_if_applied_today"] == "2026-07-23"
        assert e["repair"]["apply_until"] == "2029-07-15" and e["repair"]["decide_by_note"] is None
        # Sun 2029-07-15, in a year without its holiday notice: the roll-over past the weekend is
        # given as provisional (民法典 art. 203; domain.md §12), on the applicants' page too
        assert e["repair"]["apply_until_provisional"] == "2029-07-16"
        page = h.get("/entity", params={"uscc": C}).text
        assert "暂定 2029-07-16（当年节假日安排尚未公布）" in page


def test_application_status_derives_the_decide_by_date_from_the_cure(live) -> None:  # noqa: F811
    _unreachable(live)
    live.clock["today"] = D("2026-07-02")
    with live.client() as h:
        r = h.post("/v1/repair-applications", json={"uscc": U, "roster": "abnormal", "grounds": "已恢复联系"})
        assert r.status_code == 201, r.text
        app = r.json()
        assert app["decide_by"] is None and "查实" in app["note"]
    # The bureau's watch lists it without a date, saying why (its note column).
    with signed_in(live) as h:
        watch = h.get("/bureau").text
        assert U in watch and "待查实" in watch
    # The bureau establishes the cure on 07-06: the date follows from it, never the stale stored one.
    with live.engine.begin() as c:
        finding(c, "F-U2", U, "contact_restored", "2026-07-06")
    with live.client() as h:
        st = h.get(f"/v1/repair-applications/{app['id']}", params={"token": app["receipt_token"]}).json()
        assert st["status"] == "pending" and st["decide_by"] == "2026-07-13"   # 5 WD after 07-06
        assert st["note"] is None
        page = h.get(f"/applications/{app['id']}", params={"token": app["receipt_token"]}).text
        assert "2026-07-13" in page
        # Nothing is decided yet: the printed foot names no deciding authority, least of all the software.
        assert "作出决定机关" not in page and "尚未作出决定" in page
    run_night(live.engine, live.settings, "2026-07-06")
    with live.client() as h:
        st = h.get(f"/v1/repair-applications/{app['id']}", params={"token": app["receipt_token"]}).json()
        assert st["status"] == "removed" and st["decide_by"] == "2026-07-13"
        page = h.get(f"/applications/{app['id']}", params={"token": app["receipt_token"]}).text
        assert f"作出决定机关：{st['decisions'][0]['authority']}" in page


def test_a_second_pending_application_of_the_same_applicant_is_refused_naming_the_first(live) -> None:  # noqa: F811
    """One pending application per entry per applicant (issue 14): the same key or the counter twice
    is refused; a stranger's application blocks nobody, and a contact (which strangers may know) is
    no identity to refuse by (outside review P3)."""
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with live.client("public") as keyed, live.client() as anon:
        first = keyed.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "申请移出"})
        assert first.status_code == 201, first.text
        first_id = first.json()["id"]
        again = keyed.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "再次申请"})
        assert again.status_code == 409 and str(first_id) in again.json()["detail"]
        # Anonymous callers are not blocked by the keyed one, nor by each other…
        stranger = anon.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "捣乱"})
        assert stranger.status_code == 201, stranger.text
        mine = anon.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "申请移出",
                                                          "contact": "138 0000 0000"})
        assert mine.status_code == 201, mine.text
        # …nor by an application under the same contact (however spaced), also through the page.
        page = anon.post(f"/entity/{C}/apply", data={"roster": "abnormal", "grounds": "再次申请",
                                                     "contact": "13800000000", "token": page_token(anon, "/")})
        assert page.status_code == 201 and f"申请编号 {mine.json()['id']}" not in page.text, page.text
    run_night(live.engine, live.settings, "2026-07-16")   # all still pending after it
    with live.client("bureau") as h:
        counter = h.post("/v1/bureau/repair-applications", json={
            "uscc": C, "roster": "abnormal", "grounds": "柜台收件", "received_on": "2026-07-16"})
        assert counter.status_code == 201, counter.text
        dup = h.post("/v1/bureau/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "柜台收件",
                                                             "received_on": "2026-07-16"})
        assert dup.status_code == 409 and str(counter.json()["id"]) in dup.json()["detail"]


def test_two_applicants_on_one_entry_the_first_removal_ends_it_and_the_other_is_moot(live) -> None:  # noqa: F811
    seed_story(live)
    with live.engine.begin() as c:
        annual_report(c, A, 2025, "2026-07-20")
    live.clock["today"] = D("2026-07-21")
    with live.client() as h:
        stranger = h.post("/v1/repair-applications", json={"uscc": A, "roster": "abnormal", "grounds": "他人代为申请"})
        mine = h.post("/v1/repair-applications", json={"uscc": A, "roster": "abnormal", "grounds": "已补报年报",
                                                       "contact": "ops@example.cn"})
        assert stranger.status_code == 201 and mine.status_code == 201, (stranger.text, mine.text)
    first, second = stranger.json(), mine.json()

    def status(app: dict[str, object]) -> dict[str, object]:
        with live.client() as h:
            r = h.get(f"/v1/repair-applications/{app['id']}", headers={"X-Receipt-Token": str(app["receipt_token"])})
        assert r.status_code == 200, r.text
        return r.json()

    summary = run_night(live.engine, live.settings, "2026-07-22")
    assert summary["rosters"]["by_roster_action"] == {"abnormal:remove": 1}
    assert status(first)["status"] == "removed" and status(second)["status"] == "pending"
    run_night(live.engine, live.settings, "2026-07-23")   # the entry has ended: the other is answered
    st = status(second)
    assert st["status"] == "refused"
    (d,) = st["decisions"]
    removal_no = status(first)["decisions"][0]["decision_no"]
    assert "无需另行决定" in d["reason"] and removal_no in d["reason"] and "2026-07-22" in d["reason"]
    again = run_night(live.engine, live.settings, "2026-07-24")
    assert again["rosters"]["decisions"] == 0                   # answered once


def test_an_application_is_readable_only_by_its_applicant_and_the_bureau(live) -> None:  # noqa: F811
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with live.client() as h:
        app = h.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "机密理由",
                                                      "documents": ["内部材料"]}).json()
        other = h.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "x"}).json()
    rct = app["receipt_token"]
    assert rct.startswith("rct_") and len(rct) > 40
    with live.engine.connect() as c:   # only the hash is stored
        assert rct not in json.dumps([list(r) for r in c.execute(sa.text("select * from repair_applicants"))],
                                     default=str)
    with live.client() as h, live.client("public") as keyed, live.client("consumer") as cons:
        for client in (h, keyed, cons):   # by sequential id alone: as if it did not exist
            r = client.get(f"/v1/repair-applications/{app['id']}")
            assert r.status_code == 404 and "机密理由" not in r.text
            page = client.get(f"/applications/{app['id']}")
            assert page.status_code == 404 and "机密理由" not in page.text
        wrong = h.get(f"/v1/repair-applications/{app['id']}", params={"token": other["receipt_token"]})
        assert wrong.status_code == 404
        assert h.get(f"/v1/repair-applications/{app['id']}", params={"token": rct}).json()["grounds"] == "机密理由"
        assert h.get(f"/v1/receipts/{rct}").json()["id"] == app["id"]
        assert h.get("/v1/receipts/rct_nope").status_code == 404
        assert "机密理由" in h.get(f"/applications/{app['id']}", params={"token": rct}).text
        looked_up = h.post("/receipts", data={"receipt": rct, "token": page_token(h, "/")})
        assert looked_up.status_code == 200 and "内部材料" in looked_up.text
    with live.client("bureau") as h:
        assert h.get(f"/v1/repair-applications/{app['id']}").json()["grounds"] == "机密理由"
    with signed_in(live) as h:
        assert "机密理由" in h.get(f"/applications/{app['id']}").text


def test_the_page_shows_the_receipt_once_and_keeps_it_out_of_the_url(live) -> None:  # noqa: F811
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with httpx.Client(base_url=live.url, timeout=60) as h:
        r = h.post(f"/entity/{C}/apply", data={"roster": "abnormal", "grounds": "申请移出", "token": page_token(h, "/")},
                   follow_redirects=False)
        assert r.status_code == 201 and 'id="receipt-token"' in r.text and "location" not in r.headers
        m = re.search(r'id="receipt-token">(rct_[^<]+)<', r.text)
        assert m is not None
        rct = m.group(1)
        assert r.headers["cache-control"] == "no-store"
        again = h.post("/receipts", data={"receipt": rct, "token": page_token(h, "/")})
        assert again.status_code == 200 and "申请移出" in again.text and 'id="receipt-token"' not in again.text


def test_counter_application_the_day_after_the_latest_night_is_recorded_a_future_day_is_422(live) -> None:  # noqa: F811
    # Night D is published on the morning of D + 1: the counter's applications of that day come after
    # the latest night and are checked against its rosters (outside review, stop 46: they were 422,
    # and the clerk could only backdate them); a day after today stays 422.
    seed_story(live)   # latest published night: 2026-07-15
    live.clock["today"] = D("2026-07-16")
    with live.client("bureau") as h:
        future = h.post("/v1/bureau/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "柜台收件",
                                                                "received_on": "2026-07-17"})
        assert future.status_code == 422 and "2026-07-16" in json.dumps(future.json(), ensure_ascii=False)
        ok = h.post("/v1/bureau/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "柜台收件",
                                                            "received_on": "2026-07-16"})
        assert ok.status_code == 201, ok.text
        assert ok.json()["decide_by"] == "2026-07-23"   # 5 WD from the day it arrived (68号令 art. 11)


BUREAU_ONLY = ("decided_late", "removal_limit_from", "decision_due", "applications")


def test_public_and_consumer_answers_never_carry_bureau_fields(live) -> None:  # noqa: F811
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with live.client() as h:
        assert h.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal",
                                                       "grounds": "申请移出"}).status_code == 201
    for role in (None, "public", "consumer"):
        with live.client(role) as h:
            for as_of in ("2026-07-15", None):
                r = h.get(f"/v1/entities/{C}", params={"as_of": as_of} if as_of else {})
                assert r.status_code == 200, r.text
                assert "decided_late" not in r.text, role
                (e,) = r.json()["rosters"]
                assert not set(BUREAU_ONLY) & set(e), (role, sorted(e))
                assert "pending_applications" not in e
            page = h.get("/entity", params={"uscc": C}).text
            assert "decided_late" not in page
    with live.client("bureau") as h:
        (e,) = h.get(f"/v1/entities/{C}", params={"as_of": "2026-07-16"}).json()["rosters"]
        # listed on 07-15, one day after its limit (10 WD after 30 June): the bureau sees that
        assert e["decided_late"] is True and e["decision_due"] == "2026-07-14"
        assert e["removal_limit_from"] == "receipt"
        assert [a["status"] for a in e["applications"]] == ["pending"]



def test_two_causes_the_page_shows_the_earliest_known_date_and_names_the_entry_awaiting_its_cure(live) -> None:  # noqa: F811
    # s34: listed for the missing 2025 report (07-01) and for false disclosure (07-06); an application
    # received Mon 07-06 is due Mon 07-13 for the report (5 WD from receipt), the false disclosure
    # only 5 WD after 查实 of its correction — the page says so, as the command line does.
    F = make_uscc(43)
    with live.engine.begin() as c:
        register(c, F, "北京戊贸易有限公司")
    run_night(live.engine, live.settings, "2026-07-01")
    with live.engine.begin() as c:
        c.execute(sa.text("insert into inspection_results (task_id, uscc, inspected_on, result_code, first_night, "
                          "last_night) values ('T-F', :u, '2026-07-06', 'false_disclosure', '2026-07-06', '2026-07-06')"),
                  {"u": F})
    run_night(live.engine, live.settings, "2026-07-06")
    live.clock["today"] = D("2026-07-06")
    with live.client() as h:
        r = h.post("/v1/repair-applications", json={"uscc": F, "roster": "abnormal", "grounds": "已补报、已更正"})
        assert r.status_code == 201, r.text
        app = r.json()
        assert app["decide_by"] == "2026-07-13" and "查实前不计算" in app["note"] and "隐瞒真实情况" in app["note"]
        st = h.get(f"/v1/repair-applications/{app['id']}", params={"token": app["receipt_token"]}).json()
        assert st["decide_by"] == "2026-07-13" and st["note"] == app["note"]
        page = h.get(f"/applications/{app['id']}", params={"token": app["receipt_token"]}).text
        assert 'id="decide-by">2026-07-13<' in page and "查实前不计算" in page and "隐瞒真实情况" in page


def test_a_contact_that_is_neither_a_phone_nor_an_email_is_refused_on_the_api_and_the_page(live) -> None:  # noqa: F811
    """联系方式 is recorded as the applicant's identity: "not a phone" got 201 and a receipt (s35).
    Now 422 with the Chinese reason on both; a full-width, spaced number is accepted, and a second
    application under it is recorded too (a contact refuses nothing: outside review P3)."""
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with live.client() as anon:
        r = anon.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "申请移出",
                                                       "contact": "not a phone"})
        assert r.status_code == 422 and "联系方式应为11位手机号码" in r.text, r.text
        page = anon.post(f"/entity/{C}/apply", data={"roster": "abnormal", "grounds": "申请移出",
                                                     "contact": "not a phone", "token": page_token(anon, "/")})
        assert page.status_code == 422 and "联系方式应为11位手机号码（以1开头）或电子邮箱地址" in page.text
        assert "contact must be" not in page.text          # the public reads Chinese only
        mine = anon.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "申请移出",
                                                          "contact": "１３９－０００ ０００００"})
        assert mine.status_code == 201, mine.text
        again = anon.post(f"/entity/{C}/apply", data={"roster": "abnormal", "grounds": "再次申请",
                                                      "contact": "13900000000", "token": page_token(anon, "/")})
        assert again.status_code == 201 and f"申请编号 {mine.json()['id']}" not in again.text


def test_a_stranger_who_knows_the_contact_neither_learns_of_nor_blocks_the_application(live) -> None:  # noqa: F811
    """Outside review P3: an enterprise's phone is printed on its letterhead. Applying under it used
    to answer 409 "已有尚未决定的移出申请（申请编号 N，YYYY-MM-DD 收到）": the stranger learnt that
    the application exists, its number and date, and by applying first had the real applicant
    refused. Issue 14: a stranger's application blocks nobody. Both are recorded; neither answer
    names the other application."""
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with live.client() as stranger, live.client() as applicant:
        junk = stranger.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "捣乱",
                                                               "contact": "139 0000 0000"})
        assert junk.status_code == 201, junk.text
        real = applicant.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "申请移出",
                                                                "contact": "13900000000"})
        assert real.status_code == 201, real.text
        assert real.json()["id"] != junk.json()["id"]
        assert f"申请编号 {junk.json()['id']}" not in real.text and "2026-07-16 收到" not in real.text
        probe = stranger.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "探查",
                                                                "contact": "139-0000-0000"})
        assert probe.status_code == 201, probe.text                     # learns nothing, blocks nothing
        page = stranger.post(f"/entity/{C}/apply", data={"roster": "abnormal", "grounds": "探查",
                                                         "contact": "13900000000", "token": page_token(stranger, "/")})
        assert page.status_code == 201 and "尚未决定" not in page.text and f"申请编号 {real.json()['id']}" not in page.text
