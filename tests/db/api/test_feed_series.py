"""The change feed shows every numbered document (s36 N3; issue 4: 文号 "a gap-free sequence per
authority and year"): the serious list's prior notice (告知) takes its number from the same series
as the roster decisions, and the feed carries it, on request (``procedures=true``), as a
``procedure`` entry — number, date, authority, label, no party and no grounds — so a consumer
checking the series sees no gap. Without the request the feed is the roster decisions alone."""

from __future__ import annotations

import re
from collections import defaultdict

import sqlalchemy as sa

from tests.db.api.support import B, Live, file_and_apply, live, run_night, seed_story  # noqa: F401

NO = re.compile(r"(.*)〔(\d{4})〕(\d+)号$")


def test_the_feed_series_per_authority_and_year_is_gap_free(live: Live) -> None:  # noqa: F811
    from tests.db.rosters.helpers import penalty

    seed_story(live)
    with live.engine.begin() as c:
        penalty(c, "P-SERIES-1", B, "2026-07-14", measures=("fine", "business_restricted"))
    run_night(live.engine, live.settings, "2026-07-16")
    file_and_apply(live)                                    # 甲 removed on the night of 07-22: numbered after the notice
    run_night(live.engine, live.settings, "2026-07-22")
    with live.engine.connect() as c:
        notices = c.execute(sa.text("select seq, decision_no from roster_decisions where action = 'notice'")).all()
        later = c.execute(sa.text("select count(*) from roster_decisions where action = 'remove' and seq > :s"),
                          {"s": max(n.seq for n in notices)}).scalar_one() if notices else 0
    assert notices and all(n.decision_no for n in notices), notices     # the notice is numbered in the series
    assert later >= 1                                                   # a decision numbered after it
    with live.client("consumer") as h:
        feed = h.get("/v1/decisions", params={"after": 0, "limit": 1000, "procedures": "true"}).json()["decisions"]
        default = h.get("/v1/decisions", params={"after": 0, "limit": 1000}).json()["decisions"]
    # by default the feed is what it always was: every entry a roster decision naming its entity
    # (a consumer's copy keyed by uscc keeps working); the procedure documents come on request
    assert default == [d for d in feed if d["kind"] == "decision"]
    assert all(d["uscc"] for d in default)
    series: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for d in feed:
        if d["decision_no"]:
            m = NO.match(d["decision_no"])
            assert m, d
            series[(d["authority_code"], m.group(1), m.group(2))].append(int(m.group(3)))
    assert series
    for key, numbers in series.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), (key, numbers)
    shown = {d["seq"]: d for d in feed}
    for n in notices:
        d = shown[n.seq]
        assert d["kind"] == "procedure" and d["action"] == "notice" and d["label"], d
        assert d["uscc"] is None and d["cause"] is None and d["basis"] is None and d["case_no"] is None, d
    assert {d["kind"] for d in feed if d["action"] == "include"} == {"decision"}
    assert all(d["uscc"] for d in feed if d["kind"] == "decision")


def test_the_notice_feed_takes_its_cursor_from_the_notices_not_the_decision_log(live: Live) -> None:  # noqa: F811
    """The notice feed's cursor is a notice id: with more notices than decisions its own next_after
    must be accepted (it was refused with 409 against the decision log's head), and only a cursor
    past the last notice refused."""
    seed_story(live)
    with live.engine.begin() as c:
        head = c.execute(sa.text("select coalesce(max(seq), 0) from roster_decisions")).scalar_one()
        c.execute(sa.text(
            "insert into notices (night, produced_at, department, licence, event, event_key, uscc, name, "
            "entity_kind, region_code, industry_code, established_on, matched, config_version) "
            "select '2026-07-15', now(), '市场监督管理局（食品生产许可）', '食品生产许可', 'registered', "
            "'registered:' || g, '91330106MA2KXXXX00', '试', 'enterprise', '330106', 'C14', '2026-07-10', "
            "'C14', 'x' from generate_series(1, :n) as g"), {"n": head + 5})
        last = c.execute(sa.text("select max(id) from notices")).scalar_one()
    assert last > head
    with live.client("bureau") as h:
        page = h.get("/v1/bureau/notices", params={"after": last - 1})
        assert page.status_code == 200, page.text
        assert [n["id"] for n in page.json()["notices"]] == [last] and page.json()["next_after"] == last
        assert h.get("/v1/bureau/notices", params={"after": last}).json()["notices"] == []
        beyond = h.get("/v1/bureau/notices", params={"after": last + 1})
        assert beyond.status_code == 409 and str(last) in beyond.json()["detail"], beyond.text
