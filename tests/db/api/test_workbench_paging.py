"""The workbench's long lists paged in SQL and filtered to the account's district (review: pages that
rendered every row at once). A night after the annual-report deadline opens one draft per entity
that did not file: 55 in 朝阳区 (110105, the accounts zhang.shen and li.ban) and 3 in 东城区 (110101,
wang.dong); a page holds 50 rows."""

from __future__ import annotations

import re

import httpx
import sqlalchemy as sa

from credit.rosters import repair
from tests.db.api.support import D, Live, make_uscc, register, run_night
from tests.db.api.workbench_support import bench, officer_session  # noqa: F401

HERE, THERE = 55, 3


def _night_of_drafts(live: Live) -> dict[str, dict[str, int]]:
    """Drafts (拟列入) per district: {region: {uscc: seq}}."""
    usccs = {"110105": [make_uscc(100 + i, "110105") for i in range(HERE)],
             "110101": [make_uscc(900 + i, "110101") for i in range(THERE)]}
    with live.engine.begin() as c:
        for region, us in usccs.items():
            for i, u in enumerate(us):
                register(c, u, f"测试{region}第{i}号有限公司", region=region)
    run_night(live.engine, live.settings, "2026-07-15")
    with live.engine.connect() as c:
        seqs = dict(c.execute(sa.text("select uscc, seq from roster_decisions where action = 'propose'")).all())
    return {region: {u: seqs[u] for u in us} for region, us in usccs.items()}


def _ids(page: str, prefix: str) -> list[int]:
    return [int(x) for x in re.findall(rf'<tr id="{prefix}-(\d+)"', page)]


def _pages(h: httpx.Client, path: str, prefix: str, **params: str) -> tuple[list[int], list[str]]:
    first = h.get(path, params=params)
    second = h.get(path, params={**params, "page": "2"})
    assert first.status_code == 200 and second.status_code == 200
    return _ids(first.text, prefix) + _ids(second.text, prefix), [first.text, second.text]


def _no_repr(page: str) -> None:
    assert "{'" not in page and "None" not in page and "[]" not in page


def test_drafts_paged_and_filtered_to_the_district(bench: Live) -> None:  # noqa: F811
    by_region = _night_of_drafts(bench)
    here, there = set(by_region["110105"].values()), set(by_region["110101"].values())
    bench.clock["today"] = D("2026-07-16")
    with officer_session(bench, "zhang.shen") as h:
        ids, (p1, p2) = _pages(h, "/bureau/drafts", "draft")
        assert len(_ids(p1, "draft")) == 50 and len(_ids(p2, "draft")) == HERE - 50
        assert sorted(ids) == sorted(here)                       # each of the district's drafts once
        assert "共 55 项" in p1 and "第 1 / 2 页" in p1 and "第 2 / 2 页" in p2
        assert 'href="?page=2"' in p1 and "全部辖区" in p1          # the next page, the switch
        _no_repr(p1)
        # The switch: every district's drafts, still 50 a page.
        ids, (a1, a2) = _pages(h, "/bureau/drafts", "draft", scope="all")
        assert sorted(ids) == sorted(here | there) and "共 58 项" in a1
        assert "scope=all" in a1 and 'href="?page=2&amp;scope=all"' in a1
        # A page beyond the last and a malformed one: a clear page, never a 500.
        r = h.get("/bureau/drafts", params={"page": "9"})
        assert r.status_code == 200 and "超出范围" in r.text and _ids(r.text, "draft") == _ids(p2, "draft")
        for bad in ("abc", "0", "-1", "1e9", "9" * 30):
            r = h.get("/bureau/drafts", params={"page": bad})
            assert r.status_code == 422 and "页码" in r.text and len(_ids(r.text, "draft")) == 50, bad
        r = h.get("/bureau/drafts", params={"scope": "nonsense"})
        assert r.status_code == 200 and set(_ids(r.text, "draft")) <= here
    with officer_session(bench, "wang.dong") as h:
        page = h.get("/bureau/drafts").text
        assert sorted(_ids(page, "draft")) == sorted(there) and "共 3 项" in page and 'href="?page=2"' not in page


def test_requests_paged_counted_and_filtered(bench: Live) -> None:  # noqa: F811
    by_region = _night_of_drafts(bench)
    bench.clock["today"] = D("2026-07-16")
    objections: dict[str, set[int]] = {}
    with bench.engine.begin() as c:
        for drafts in by_region.values():
            for seq in drafts.values():
                repair.decide_draft(c, seq, "account:zhang.shen", D("2026-07-16"), True, None,
                                    settings=bench.settings)
        listed = c.execute(sa.text("select seq, authority from roster_decisions where action = 'include'")).all()
        for seq, authority in listed:
            filed = repair.file_objection(c, str(seq), D("2026-07-17"), "已按期报送年报", settings=bench.settings)
            objections.setdefault(authority, set()).add(int(filed["id"]))
    bench.clock["today"] = D("2026-07-20")
    with officer_session(bench, "zhang.shen") as h:
        ids, (p1, p2) = _pages(h, "/bureau/requests", "request")
        assert len(_ids(p1, "request")) == 50 and sorted(ids) == sorted(objections["110105"])
        assert "共 55 项" in p1 and "第 2 / 2 页" in p2
        ids, (a1, _a2) = _pages(h, "/bureau/requests", "request", scope="all")
        assert sorted(ids) == sorted(objections["110105"] | objections["110101"]) and "共 58 项" in a1
        assert h.get("/bureau/requests", params={"page": "x"}).status_code == 422
        _no_repr(p1)


def test_overview_shows_the_most_urgent_and_links_to_all(bench: Live) -> None:  # noqa: F811
    by_region = _night_of_drafts(bench)
    bench.clock["today"] = D("2026-07-16")
    with officer_session(bench, "zhang.shen") as h:
        page = h.get("/bureau").text
        watch = page.split('id="watch"', 1)[1].split("</table>", 1)[0]
        rows = re.findall(r"<tr class=", watch)
        assert len(rows) == 20                                   # a short list
        assert "共 55 项" in page and 'href="/bureau/deadlines"' in page
        assert "110101" not in watch and "东城区" not in watch
        every = h.get("/bureau/deadlines").text
        assert "共 55 项" in every and "第 1 / 2 页" in every
        listed = set(re.findall(r"<td>(91\w{16})</td>", every)) | set(
            re.findall(r"<td>(91\w{16})</td>", h.get("/bureau/deadlines", params={"page": 2}).text))
        assert listed == set(by_region["110105"])
        assert "共 58 项" in h.get("/bureau", params={"scope": "all"}).text
        assert h.get("/bureau/deadlines", params={"page": "zz"}).status_code == 422
        # The other long lists: the procedures with their forms, the night's notices, the quarantine.
        for path in ("/bureau/serious", "/bureau/notices", "/bureau/notices?night=2026-07-15&department=教育局"):
            r = h.get(path)
            assert r.status_code == 200 and "共 0 项" in r.text, path
            _no_repr(r.text)
        assert h.get("/bureau/notices", params={"night": "2026-99-99"}).status_code == 422
        r = h.get("/bureau/nights/2026-07-15/quarantine", params={"page": "abc"})
        assert r.status_code == 422 and "页码" in r.text
