"""Penalty information over HTTP (domain.md §5.1, §6): the public sees published penalties only,
applies for their repair online or on the page, and the bureau's record can be asked as known
after a night (``known_at``)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.db.api.support import D, annual_report, live, make_uscc, register, run_night  # noqa: F401

P = make_uscc(51)


def _penalised(live) -> None:  # noqa: F811
    with live.engine.begin() as c:
        register(c, P, "北京戊食品有限公司")
        annual_report(c, P, 2025, "2026-03-01")
        c.execute(sa.text("""insert into penalties (case_no, uscc, decided_on, doc_no, category, measures, fine_amount,
                             heavier, fulfilled_on, first_night, last_night) values
                             ('C-1', :u, '2026-01-10', '京朝市监罚〔2026〕1号', 'other', array['fine'], 50000, false,
                              '2026-02-01', '2026-01-12', '2026-01-12'),
                             ('C-2', :u, '2026-01-10', '京朝市监罚〔2026〕2号', 'other', array['warning'], null, false,
                              null, '2026-01-12', '2026-01-12')"""), {"u": P})
    run_night(live.engine, live.settings, "2026-01-12")


def test_public_sees_published_penalties_and_applies_for_repair(live) -> None:  # noqa: F811
    _penalised(live)
    live.clock["today"] = D("2026-04-13")
    run_night(live.engine, live.settings, "2026-04-10")
    with live.client() as h:
        doc = h.get(f"/v1/entities/{P}").json()
        assert [p["case_no"] for p in doc["penalties"]] == ["C-1"]        # the warning is never published
        (p,) = doc["penalties"]
        # published the night of 2026-01-12: one year and three months from then (45号令 art. 13, §6)
        assert p["publicity_until"] == "2027-01-12" and p["repair_from"] == "2026-04-13"
        page = h.get("/entity", params={"uscc": P}).text
        assert "C-1" in page and "2026-04-13 起可申请" in page and 'name="case_no"' in page
        bad = h.post("/v1/repair-applications", json={"uscc": P, "roster": "penalty", "grounds": "x"})
        assert bad.status_code == 422                                   # a penalty application names its case
        r = h.post("/v1/repair-applications", json={"uscc": P, "roster": "penalty", "case_no": "C-1",
                                                    "grounds": "已缴纳罚款", "documents": ["守信承诺书"]})
        assert r.status_code == 201, r.text
        app = r.json()
        assert app["roster"] == "penalty" and app["decide_by"] == "2026-04-22" and app["status"] == "pending"
    run_night(live.engine, live.settings, "2026-04-13")
    with live.client() as h:
        assert h.get(f"/v1/repair-applications/{app['id']}", params={"token": app["receipt_token"]}).json()["status"] == "removed"
        assert h.get(f"/v1/entities/{P}").json()["penalties"] == []
        # repair stops publishing for good: not published again as the record stood before it (s34)
        hidden = h.get(f"/v1/entities/{P}", params={"as_of": "2026-04-10", "known_at": "2026-04-10"}).json()
        assert hidden["penalties"] == [] and hidden["known_at"]["night"] == "2026-04-10"
        assert h.get(f"/v1/entities/{P}", params={"known_at": "2026-04-10"}).json()["penalties"] == []
        assert h.get(f"/v1/entities/{P}", params={"known_at": "2026-05-01"}).status_code == 422
    with live.client("bureau") as h:
        # the bureau's record as it stood after the night of 2026-04-10: the penalty was still published
        then = h.get(f"/v1/entities/{P}", params={"as_of": "2026-04-10", "known_at": "2026-04-10"}).json()
        assert {p["case_no"]: p["state"] for p in then["penalties"]}["C-1"] == "published"
    with live.client("consumer") as h:
        # the change feed names the case whose publicity stopped, so a copy can drop it
        feed = h.get("/v1/decisions").json()["decisions"]
        assert [(d["roster"], d["action"], d["case_no"]) for d in feed] == [("penalty", "remove", "C-1")]
