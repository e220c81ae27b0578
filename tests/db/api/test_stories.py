"""End-to-end over HTTP against a running server on PostgreSQL: one test per user story of issue 7."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from tests.db.api.support import NAMES, SECRET_REP, A, B, C, D, file_and_apply, live, run_night, seed_story  # noqa: F401


def test_public_status_by_uscc_and_name(live) -> None:  # noqa: F811
    seed_story(live)
    with live.client() as h:
        r = h.get(f"/v1/entities/{C}", params={"as_of": "2026-07-15"})
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["listed"] is True and doc["name"] == NAMES[C]
        (e,) = doc["rosters"]
        assert e["roster"] == "abnormal" and e["cause_code"] == "annual_report_missing"
        assert e["decision_no"] and e["basis"].startswith("《企业信息公示暂行条例》")
        assert e["repair"]["decide_within"] == "5个工作日"
        assert "tier" not in doc
        # The day before the first night is unknown to the system, not "not listed" (domain.md §10, s35).
        before = h.get(f"/v1/entities/{C}", params={"as_of": "2026-07-14"})
        assert before.status_code == 422 and "早于本系统的第一个批次 2026-07-15" in before.text
        assert h.get(f"/v1/entities/{B}").json()["listed"] is False
        found = h.get("/v1/entities", params={"name": "丙餐饮"}).json()["results"]
        assert [x["uscc"] for x in found] == [C]
        assert SECRET_REP not in r.text and "legal_rep" not in r.text


def test_malformed_uscc_is_a_422_that_says_what_is_wrong(live) -> None:  # noqa: F811
    with live.client() as h:
        bad = A[:17] + ("0" if A[17] != "0" else "1")
        r = h.get(f"/v1/entities/{bad}")
        assert r.status_code == 422
        assert f"应为“{A[17]}”" in r.json()["detail"][0]["msg"]
        r = h.get("/v1/entities/91110105MA00000I0X")
        assert r.status_code == 422 and "position 16" in r.json()["detail"][0]["msg"]
        r = h.get("/v1/entities/123")
        assert r.status_code == 422 and "18" in r.json()["detail"][0]["msg"]


def test_listed_on_the_bid_date_but_removed_since(live) -> None:  # noqa: F811
    """A procurement officer screens on the bid date; the entity was removed by repair afterwards."""
    seed_story(live)
    app = file_and_apply(live)
    assert app["status"] == "pending" and app["decide_by"] == "2026-07-28"   # 5 WD after 07-21
    run_night(live.engine, live.settings, "2026-07-22")
    with live.client("consumer") as h:
        r = h.post("/v1/screenings", json={"usccs": [A, B, C], "as_of": "2026-07-16"})
        assert r.status_code == 200, r.text
        cert = r.json()
        by = {x["uscc"]: x for x in cert["results"]}
        assert by[A]["listed"] is True and by[A]["entries"][0]["state"] == "listed"
        assert by[B]["listed"] is False and by[B]["entries"] == []
        assert by[C]["listed"] is True
        now = h.post("/v1/screenings", json={"usccs": [A], "as_of": "2026-07-22"}).json()
        (e,) = now["results"][0]["entries"]
        assert e["state"] == "removed" and e["removed_on"] == "2026-07-22"
        assert e["removal_kind"] == "repair" and e["removal_by_repair"] is True
        assert e["removal_reason"] == "已补报年度报告"
        assert cert["query"] == {"usccs": [A, B, C], "as_of": "2026-07-16"}
        assert cert["data_version"]["night"] == "2026-07-22" and cert["digest"].startswith("sha256:")
        assert SECRET_REP not in r.text
    # The public no longer sees the repaired entry (repair = stop publishing), even for the bid date.
    with live.client() as h:
        pub = h.get(f"/v1/entities/{A}", params={"as_of": "2026-07-16"}).json()
        assert pub["rosters"] == [] and pub["listed"] is False
        exported = h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-16"}).json()
        assert [x["uscc"] for x in exported] == [C]
        # …and the public cannot screen.
        assert h.post("/v1/screenings", json={"usccs": [A], "as_of": "2026-07-16"}).status_code == 403
    # A licensing department's key sees what the public sees, not the consumers' fuller view.
    import httpx

    from credit.api.auth import create_key
    with live.engine.begin() as c:
        dept = create_key(c, "licensing", "区教育局", "test", department="教育局")[1]
    with httpx.Client(base_url=live.url, headers={"X-API-Key": dept}, timeout=60) as h:
        seen = h.get(f"/v1/entities/{A}", params={"as_of": "2026-07-16"}).json()
        assert seen["rosters"] == [] and seen["listed"] is False
        exported = h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-16"}).json()
        assert [x["uscc"] for x in exported] == [C]
        assert h.post("/v1/screenings", json={"usccs": [A], "as_of": "2026-07-16"}).status_code == 403


def test_certificate_verifies_and_tampering_is_caught(live, tmp_path) -> None:  # noqa: F811
    seed_story(live)
    with live.client("consumer") as h:
        cert = h.post("/v1/screenings", json={"usccs": [A, B], "as_of": "2026-07-15"}).json()
    with live.client() as h:   # anyone may re-check
        ok = h.post("/v1/certificates/verify", json=cert).json()
        assert ok["verdict"] == "valid" and ok["issued_here"] is True
        forged = {**cert, "results": [{**cert["results"][0], "listed": False, "entries": []}, cert["results"][1]]}
        bad = h.post("/v1/certificates/verify", json=forged).json()
        assert bad["verdict"] == "invalid" and bad["digest_ok"] is False
        assert h.post("/v1/certificates/verify", json={"format": "x"}).status_code == 422


def test_change_feed_keeps_a_copy_in_sync(live) -> None:  # noqa: F811
    seed_story(live)
    with live.client("consumer") as h:
        first = h.get("/v1/decisions", params={"after": 0, "limit": 1}).json()
        assert len(first["decisions"]) == 1 and first["more"] is True
        rest = h.get("/v1/decisions", params={"after": first["next_after"]}).json()
        got = first["decisions"] + rest["decisions"]
        assert {d["uscc"] for d in got} == {A, C} and all(d["action"] == "include" for d in got)
        cursor = rest["next_after"]
        assert h.get("/v1/decisions", params={"after": cursor}).json()["decisions"] == []
    file_and_apply(live)
    run_night(live.engine, live.settings, "2026-07-22")
    with live.client("consumer") as h:
        new = h.get("/v1/decisions", params={"after": cursor}).json()["decisions"]
        assert [(d["uscc"], d["action"]) for d in new] == [(A, "remove")]
        assert new[0]["seq"] > cursor and new[0]["decision_no"]
    with live.client() as h:
        assert h.get("/v1/decisions").status_code == 403


def test_repair_application_followed_to_its_decision(live) -> None:  # noqa: F811
    seed_story(live)
    app = file_and_apply(live)
    with live.client() as h:
        st = h.get(f"/v1/repair-applications/{app['id']}", params={"token": app["receipt_token"]}).json()
        assert st["status"] == "pending" and st["documents"] == ["守信承诺书", "2025年度报告回执"]
        assert st["received_on"] == "2026-07-21" and st["decide_by"] == "2026-07-28"
    run_night(live.engine, live.settings, "2026-07-22")
    with live.client() as h:
        st = h.get(f"/v1/repair-applications/{app['id']}", params={"token": app["receipt_token"]}).json()
        assert st["status"] == "removed"
        (d,) = st["decisions"]
        assert d["action"] == "remove" and d["decision_date"] == "2026-07-22" and d["decision_no"]
        # Not listed: nothing to apply for.
        r = h.post("/v1/repair-applications", json={"uscc": B, "roster": "abnormal", "grounds": "无"})
        assert r.status_code == 409 and "不在" in r.json()["detail"]
        assert h.post("/v1/repair-applications", json={"uscc": "91", "roster": "abnormal",
                                                       "grounds": "x"}).status_code == 422


def test_unmet_application_is_refused_with_reasons(live) -> None:  # noqa: F811
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with live.client() as h:
        app = h.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "申请移出"}).json()
    assert app["decide_by"] == "2026-07-23"
    run_night(live.engine, live.settings, "2026-07-24")   # the 5 WD ran out, the report never came
    with live.client() as h:
        st = h.get(f"/v1/repair-applications/{app['id']}", params={"token": app["receipt_token"]}).json()
    assert st["status"] == "refused" and st["decisions"][0]["reason"]


def test_public_key_cannot_see_a_tier(live) -> None:  # noqa: F811
    seed_story(live, grade=True)
    with live.client("public") as h:
        r = h.get(f"/v1/bureau/entities/{C}/tier")
        assert r.status_code == 403 and "bureau" in r.json()["detail"]
        assert h.get("/v1/bureau/deadlines").status_code == 403
    with live.client("consumer") as h:
        assert h.get(f"/v1/bureau/entities/{C}/tier").status_code == 403
    with live.client() as h:
        assert h.get(f"/v1/bureau/entities/{C}/tier").status_code == 403
    with httpx.Client(base_url=live.url, headers={"X-API-Key": "crk_not-a-key"}) as h:
        assert h.get(f"/v1/entities/{C}").status_code == 401
    with live.client("bureau") as h:
        t = h.get(f"/v1/bureau/entities/{C}/tier").json()
        assert t["grade"] in "ABCD" and t["reasons"]


def test_bureau_deadlines_draws_and_objection_decisions(live) -> None:  # noqa: F811
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with live.client("bureau") as h:
        # Received on the latest published night.
        app = h.post("/v1/bureau/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": "柜台收件",
                                                             "received_on": "2026-07-15"})
        assert app.status_code == 201, app.text
        watch = h.get("/v1/bureau/deadlines", params={"on": "2026-07-16", "within_wd": 10}).json()["items"]
        assert any(w["uscc"] == C and w["due_date"] == "2026-07-22" for w in watch)
        assert h.get("/v1/bureau/draws").json() == {"draws": []}
        assert h.get("/v1/bureau/nights/latest").json()["night"] == "2026-07-15"
        # An objection to 甲's listing, upheld: the listing is revoked by a numbered decision.
        seq = h.get(f"/v1/entities/{A}").json()["rosters"][0]["entry_id"]
        live.clock["today"] = D("2026-07-24")
        obj = h.post("/v1/bureau/objections", json={"decision": str(seq), "received_on": "2026-07-20",
                                                   "grounds": "已按时报送，系统未同步"})
        assert obj.status_code == 201, obj.text
        dec = h.post(f"/v1/bureau/objections/{obj.json()['id']}/decision",
                     json={"outcome": "upheld", "on": "2026-07-24", "note": "核实已按时报送"})
        assert dec.status_code == 201, dec.text
        assert dec.json()["action"] == "revoke"
        again = h.post(f"/v1/bureau/objections/{obj.json()['id']}/decision", json={"outcome": "dismissed",
                                                                                   "on": "2026-07-24"})
        assert again.status_code == 409
    with live.client("consumer") as h:
        e = h.post("/v1/screenings", json={"usccs": [A], "as_of": "2026-07-15"}).json()
        assert e["results"][0]["listed"] is True      # it *was* listed that day (history is kept)
    with live.client("consumer") as h:
        e = h.post("/v1/screenings", json={"usccs": [A], "as_of": "2026-07-15"})
        # no night after 07-15 is published, but the revocation decision is dated 07-24: asking
        # about 07-24 is after the latest data and refused
        assert h.post("/v1/screenings", json={"usccs": [A], "as_of": "2026-08-30"}).status_code == 422


def test_roster_export_and_rate_limit(live) -> None:  # noqa: F811
    seed_story(live)
    with live.client() as h:
        r = h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-15", "format": "csv"})
        assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
        header = r.content.decode("utf-8-sig").splitlines()[0]
        assert header == ("uscc,name,roster,cause_code,cause,basis,included_on,decision_no,authority,state,"
                          "removed_on,removal_reason,remedy")   # remedy appended last (issue 13)
        rows = h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-15"}).json()
        assert sorted(x["uscc"] for x in rows) == sorted([A, C])
    # The anonymous limit (config: 120/min) answers 429 with Retry-After once exhausted.
    with httpx.Client(base_url=live.url) as h:
        codes = [h.get("/healthz").status_code for _ in range(130)]
    assert codes.count(429) >= 1 and codes[0] == 200


def test_change_feed_says_no_more_when_only_working_papers_follow(live) -> None:  # noqa: F811
    """A consumer polls while ``more`` is true: working papers after the last feed decision (here
    the serious list's proposal and notice, left out of the feed) are not "more"."""
    from tests.db.rosters.helpers import penalty

    seed_story(live)
    with live.engine.begin() as c:
        penalty(c, "P-FEED-1", B, "2026-07-14", measures=("fine", "business_restricted"))
    run_night(live.engine, live.settings, "2026-07-16")
    with live.engine.connect() as c:
        kinds = [r[0] for r in c.execute(sa.text("select action from roster_decisions order by seq")).all()]
    assert kinds[-1] in ("proposal", "notice", "propose"), kinds   # the log ends with working papers
    with live.client("consumer") as h:
        page = h.get("/v1/decisions", params={"after": 0, "limit": 100}).json()
        assert page["decisions"] and page["more"] is False
        first = h.get("/v1/decisions", params={"after": 0, "limit": 1}).json()
        assert len(first["decisions"]) == 1 and first["more"] is True
        last = h.get("/v1/decisions", params={"after": 0, "limit": len(page["decisions"])}).json()
        assert last["more"] is False


def test_bulk_screening_answers_repeats_once_and_unknown_codes_as_unregistered(live) -> None:  # noqa: F811
    """A consumer's list of codes with repeats (as typed and once normalised), an unknown code and a
    malformed one: the answer docs/api.md describes (r27consumer)."""
    from pathlib import Path

    seed_story(live)
    spaced = " ".join([A[:4], A[4:8], A[8:]]).lower()
    unknown = "91110000600037341L"
    with live.client("consumer") as h:
        bad = h.post("/v1/screenings", json={"usccs": [A, A[:17], B], "as_of": "2026-07-15"})
        assert bad.status_code == 422 and [d["loc"] for d in bad.json()["detail"]] == [["body", "usccs", 1]]
        cert = h.post("/v1/screenings", json={"usccs": [A, spaced, B, unknown, A], "as_of": "2026-07-15"}).json()
    assert cert["query"]["usccs"] == [A, B, unknown]
    assert [r["uscc"] for r in cert["results"]] == [A, B, unknown]
    (u,) = [r for r in cert["results"] if r["uscc"] == unknown]
    assert u["registered"] is False and u["listed"] is False and u["entries"] == []
    doc = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text(encoding="utf-8")
    assert "is answered once" in doc and "`registered: false, listed: false`" in doc
