"""A licensing department reads its 双告知 notices from the bureau's feed by its name (domain.md §11;
docs/api.md ``GET /v1/bureau/notices``). A name that names no department — a typo, or ASCII
brackets where config/notices.yaml writes full-width ones — must be refused, not answered with an
empty page that reads as "up to date": the department would never learn of its notices."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from credit.context import NightContext
from credit.notices.night import produce_notices
from tests.db.api.support import D, live, make_uscc, register, run_night, signed_in  # noqa: F401

FOOD = make_uscc(41)
FOOD_DEPT = "市场监督管理局（食品生产许可）"


def _one_food_notice(live: Any) -> None:  # noqa: F811
    with live.engine.begin() as c:
        register(c, FOOD, "北京好味食品有限公司", established="2026-07-10")
        c.execute(sa.text("update registration set industry_code = 'C14' where uscc = :u"), {"u": FOOD})
        c.execute(sa.text(
            "insert into registration_history (night, change, uscc, name, entity_kind, region_code, industry_code, "
            "established_on, status) select :n, 'new', uscc, name, entity_kind, region_code, industry_code, "
            "established_on, status from registration"), {"n": D("2026-07-15")})
        produce_notices(c, NightContext(D("2026-07-15"), "test-2026-07-15", live.settings))
        # a department an earlier configuration named: its notices stay readable by its name
        c.execute(sa.text(
            "insert into notices (night, produced_at, department, licence, event, event_key, uscc, name, entity_kind, "
            "region_code, industry_code, established_on, matched, config_version) values ('2026-07-14', now(), "
            "'旧许可部门', '旧许可证', 'registered', 'registered:x', :u, 'x', 'enterprise', '110105', 'C14', "
            "'2026-07-10', 'C14', 'notices-old')"), {"u": FOOD})


def test_an_unknown_department_is_refused_not_answered_up_to_date(live: Any) -> None:  # noqa: F811
    _one_food_notice(live)
    with live.client("bureau") as h:
        ours = h.get("/v1/bureau/notices", params={"department": FOOD_DEPT}).json()
        assert [n["uscc"] for n in ours["notices"]] == [FOOD]
        for wrong in ("市场监督管理局(食品生产许可)", "食品生产许可", "药监局"):
            r = h.get("/v1/bureau/notices", params={"department": wrong})
            assert r.status_code == 422, (wrong, r.text)
            assert FOOD_DEPT in r.text                      # the answer names the departments there are
        # a configured department without notices yet, and one of an earlier configuration: answered
        assert h.get("/v1/bureau/notices", params={"department": "教育局"}).json()["notices"] == []
        old = h.get("/v1/bureau/notices", params={"department": "旧许可部门"}).json()
        assert [n["department"] for n in old["notices"]] == ["旧许可部门"]


def test_the_notices_page_of_a_night_not_published_says_so(live: Any) -> None:  # noqa: F811
    """The page must not say a night had nothing to push when it has not been published yet."""
    run_night(live.engine, live.settings, "2026-07-15")
    with signed_in(live) as h:
        done = h.get("/bureau/notices", params={"night": "2026-07-15"})
        assert done.status_code == 200 and "该批次没有需要推送给许可部门的登记" in done.text
        r = h.get("/bureau/notices", params={"night": "2026-07-20"})
        assert r.status_code == 404 and "没有已发布的夜间批次" in r.text
        assert "没有需要推送" not in r.text


def test_a_licensing_key_reads_its_own_department_s_notices_and_nothing_of_the_bureau_s(live: Any) -> None:  # noqa: F811
    """A licensing department no longer needs a bureau key, which opened tiers with their bank-credit
    reasons (domain.md §11, never shown outside the bureau) and every department's notices: its own
    key reads its department's notices alone (migration 0038, docs/api.md)."""
    import httpx

    from credit.api.auth import create_key

    _one_food_notice(live)
    with live.engine.begin() as c:
        food = create_key(c, "licensing", "区市场监管局食品生产科", "test", department=FOOD_DEPT)[1]
        edu = create_key(c, "licensing", "区教育局", "test", department="教育局")[1]
    with httpx.Client(base_url=live.url, headers={"X-API-Key": food}, timeout=60) as h:
        feed = h.get("/v1/licensing/notices").json()
        assert [(n["uscc"], n["department"]) for n in feed["notices"]] == [(FOOD, FOOD_DEPT)]
        assert h.get("/v1/licensing/notices", params={"after": feed["next_after"]}).json()["notices"] == []
        # nothing of the bureau's: neither the whole feed, nor a tier (with its bank reasons), nor a report
        for path in ("/v1/bureau/notices", f"/v1/bureau/entities/{FOOD}/tier", "/v1/bureau/nights/latest"):
            assert h.get(path).status_code == 403, path
        assert h.get(f"/v1/entities/{FOOD}").status_code == 200     # what the public sees, it sees
    with httpx.Client(base_url=live.url, headers={"X-API-Key": edu}, timeout=60) as h:
        assert h.get("/v1/licensing/notices").json()["notices"] == []     # not the food department's
    for role in (None, "public", "consumer", "bureau"):   # the feed of one department is its key's alone
        with live.client(role) as h:
            assert h.get("/v1/licensing/notices").status_code == 403, role
    with live.engine.begin() as c:
        for role, dept in (("licensing", None), ("bureau", FOOD_DEPT)):
            try:
                create_key(c, role, "x", "test", department=dept)
            except ValueError:
                continue
            raise AssertionError(f"{role} key with department {dept!r} was created")


def test_the_notices_page_refuses_an_unknown_department_as_the_feed_does(live: Any) -> None:  # noqa: F811
    """docs/api.md: an unknown department is refused, not answered with an empty page; the officers'
    page said "该批次没有需要推送给许可部门的登记" with 200 to ``?department=nope`` (s35)."""
    _one_food_notice(live)
    run_night(live.engine, live.settings, "2026-07-15")
    with signed_in(live) as h:
        r = h.get("/bureau/notices", params={"night": "2026-07-15", "department": "nope"})
        assert r.status_code == 422, r.text
        assert "没有该许可部门「nope」" in r.text and FOOD_DEPT in r.text
        assert "没有需要推送" not in r.text
        feed = h.get("/v1/bureau/notices", params={"department": "nope"})
        assert feed.status_code == 422 and "没有该许可部门「nope」" in feed.text
        # a configured department, and one of an earlier configuration, are still shown
        assert h.get("/bureau/notices", params={"night": "2026-07-15", "department": FOOD_DEPT}).status_code == 200
        assert h.get("/bureau/notices", params={"night": "2026-07-14", "department": "旧许可部门"}).status_code != 422
