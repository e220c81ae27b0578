"""Name search counts the characters it searches for, not the spaces around them (an outsider's
finding: two spaces, two ideographic spaces or " 温" passed the 2-character minimum and answered
50 arbitrary entities)."""

from __future__ import annotations

from tests.db.api.support import live, seed_story  # noqa: F401


def test_whitespace_does_not_count_towards_the_two_characters(live) -> None:  # noqa: F811
    seed_story(live)
    with live.client() as h:
        for name in ("  ", "\u3000\u3000", " 温", "温\u3000", "\u200b温", "\t\n"):
            r = h.get("/v1/entities", params={"name": name})
            assert r.status_code == 422, (name, r.status_code, r.text)
            [err] = r.json()["detail"]
            assert err["loc"] == ["query", "name"] and "至少需要 2 个字" in err["msg"], err
        found = h.get("/v1/entities", params={"name": "\u3000丙餐饮 "}).json()
        assert [x["name"] for x in found["results"]] and all("丙餐饮" in x["name"] for x in found["results"])
