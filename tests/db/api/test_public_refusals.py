"""The public API's refusals as an outsider met them (s36): every 422 in Chinese with the English in
brackets, naming the field; a change-feed cursor beyond the log's head refused; the 429's message
agreeing with its ``Retry-After``; the certificate verifier naming the unreadable field in words,
never a Python exception's text."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from tests.db.api.support import A, C, D, Live, live, seed_story  # noqa: F401

CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese_422(r: httpx.Response, field: str) -> list[dict[str, Any]]:
    """The 422's detail, every message Chinese first with an English aside, one naming ``field``."""
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json"), (r.status_code, r.text)
    detail = r.json()["detail"]
    msgs = [d["msg"] for d in detail] if isinstance(detail, list) else [detail]
    for m in msgs:
        assert CJK.match(m) and re.search(r"\([^()]*[A-Za-z][^()]*\)\s*$", m), m
        assert "invalid literal" not in m and "Traceback" not in m, m
    assert any(field in m for m in msgs), msgs
    if isinstance(detail, list):     # FastAPI's shape kept: programs read type and loc
        assert all({"type", "loc", "msg"} <= set(d) for d in detail), detail
    return detail if isinstance(detail, list) else [{"msg": detail}]


def test_generic_validation_errors_are_worded_in_chinese(live: Live) -> None:  # noqa: F811
    seed_story(live)
    with live.client("consumer") as h:
        [e] = chinese_422(h.get(f"/v1/entities/{C}", params={"as_of": "2026-02-30"}), "as_of")
        assert e["loc"] == ["query", "as_of"] and e["msg"].startswith("查询参数 as_of：应为有效日期")
        assert "day value is outside expected range" in e["msg"]        # the English kept in brackets
        [e] = chinese_422(h.get("/v1/rosters/foo"), "roster")
        assert "abnormal、abnormal_status、serious" in e["msg"] or "abnormal" in e["msg"], e
        [e] = chinese_422(h.post("/v1/repair-applications", json={"uscc": C, "roster": "abnormal", "grounds": ""}),
                          "grounds")
        assert e["msg"].startswith("请求体字段 grounds：至少应有 1 个字符"), e
        chinese_422(h.post("/v1/screenings", json={"usccs": [], "as_of": "2026-07-15"}), "usccs")
        chinese_422(h.post("/v1/screenings", json={"usccs": [A]}), "as_of")
        chinese_422(h.post("/v1/screenings", json={"usccs": [A], "as_of": "2026-13-01"}), "as_of")
        [e] = chinese_422(h.post("/v1/screenings", content=b"{not json", headers={"content-type": "application/json"}),
                          "请求体")
        assert e["type"] == "json_invalid", e
        chinese_422(h.get("/v1/repair-applications/abc"), "application_id")


def test_the_certificate_verifier_names_the_unreadable_field(live: Live) -> None:  # noqa: F811
    seed_story(live)
    with live.client("consumer") as h:
        cert = h.post("/v1/screenings", json={"usccs": [A, C], "as_of": "2026-07-15"}).json()
        bad = {**cert, "data_version": {**cert["data_version"], "decision_seq": "a"}}
        [e] = chinese_422(h.post("/v1/certificates/verify", json=bad), "data_version.decision_seq")
        assert "int()" not in e["msg"] and "base 10" not in e["msg"], e
        chinese_422(h.post("/v1/certificates/verify", json={"format": "x"}), "format")
        chinese_422(h.post("/v1/certificates/verify", json={k: v for k, v in cert.items() if k != "as_of"}), "as_of")
        assert h.post("/v1/certificates/verify", json=cert).json()["verdict"] == "valid"


def test_a_feed_cursor_beyond_the_head_is_refused_naming_the_head(live: Live) -> None:  # noqa: F811
    seed_story(live)
    with live.client("consumer") as h:
        page = h.get("/v1/decisions").json()
        head = page["data_version"]["decision_seq"]
        assert head > 0 and h.get("/v1/decisions", params={"after": head}).json()["decisions"] == []   # up to date
        r = h.get("/v1/decisions", params={"after": 100_000})
        assert r.status_code == 409, r.text
        msg = r.json()["detail"]
        assert CJK.match(msg) and f"第{head}条" in msg and f"seq {head}" in msg, msg


def test_the_429_says_the_wait_its_retry_after_header_says(live: Live) -> None:  # noqa: F811
    with httpx.Client(base_url=live.url, timeout=60) as h:
        seen = []
        for _ in range(200):      # anonymous: 120/min; a refusal comes within a second of the last allowance
            r = h.get(f"/v1/entities/{A}")
            if r.status_code == 429:
                seen.append(r)
                if len(seen) >= 5:
                    break
        assert seen
        for r in seen:
            wait = re.search(r"请 (\d+) 秒后重试", r.json()["detail"])
            assert wait and wait.group(1) == r.headers["retry-after"] and int(wait.group(1)) >= 1, (r.text, r.headers)


def test_the_certificate_verifier_refuses_a_key_named_twice(live: Live) -> None:  # noqa: F811
    """As ``credit certificate verify`` (exit 2): a body that names a key twice in one object is
    refused naming the key, not read with its last value (a forged ``as_of`` in front of the signed one)."""
    seed_story(live)
    with live.client("consumer") as h:
        cert = h.post("/v1/screenings", json={"usccs": [A, C], "as_of": "2026-07-15"}).json()
        body = json.dumps(cert, ensure_ascii=False)
        twice = '{"as_of": "2020-01-01", ' + body[1:]                        # the signed value last
        r = h.post("/v1/certificates/verify", content=twice.encode(), headers={"content-type": "application/json"})
        [e] = chinese_422(r, '"as_of"')
        assert e["type"] == "value_error.repeated_key" and e["input"] == "as_of", e
        nested = body.replace('"data_version": {', '"data_version": {"decision_seq": 0, ', 1)
        r = h.post("/v1/certificates/verify", content=nested.encode(), headers={"content-type": "application/json"})
        assert chinese_422(r, '"decision_seq"')[0]["input"] == "decision_seq"
        assert h.post("/v1/certificates/verify", json=cert).json()["verdict"] == "valid"
        schema = h.get("/openapi.json").json()["paths"]["/v1/certificates/verify"]["post"]
        assert "requestBody" in schema and schema["requestBody"]["content"]["application/json"]["schema"], schema
