"""Every date the HTTP API reads is a calendar date ``YYYY-MM-DD`` (contracts.md writes every date so)
and nothing else. Pydantic's ``date`` read ``2026-07-15T00:00:00+09:00`` as 2026-07-15 — an instant
that is 2026-07-14 in Shanghai, the bureau's one clock — and a Unix time as a date; now any other form
is a 422 naming the parameter and the expected form, Chinese first, the English after
(``credit.api.validation.Day``, worded by ``credit.api.errors.worded``).

The parameters are taken from the service's own OpenAPI schema (query, path and JSON body), so a
route added later with a date cannot escape the check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.db.api.support import A, live  # noqa: F401

# Filled into a path's other parameters: a value of the kind each expects.
PATH_VALUES = {"uscc": A, "roster": "abnormal", "objection_id": "1", "seq": "1", "case": "X1", "id": "1",
               "application_id": "1", "draw_id": "D1", "task_id": "T1"}
NOT_DAYS = ["2026-07-15T00:00:00+09:00", "2026-07-15T00:00:00Z", "2026-07-15 00:00", "1784073600", "20260715",
            "2026-W29-3", "２０２６-07-15", " 2026-07-15"]


def _is_date(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "date" or any(_is_date(s) for s in schema.get("anyOf", ()))


def date_doors(doc: dict[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """(method, path, where, name) for every date parameter and JSON body field of the schema."""
    schemas = doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                if _is_date(p["schema"]):
                    yield method, path, p["in"], p["name"]
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                ref = body["schema"].get("$ref", "")
                model = schemas[ref.rsplit("/", 1)[-1]] if ref else body["schema"]
                for name, prop in model.get("properties", {}).items():
                    if _is_date(prop):
                        yield method, path, "body", name


def call(h: Any, method: str, path: str, where: str, name: str, value: Any) -> Any:
    url = re.sub(r"\{(\w+)\}", lambda m: str(value) if m.group(1) == name else PATH_VALUES.get(m.group(1), "1"), path)
    if where == "query":
        return h.request(method.upper(), url, params={name: value})
    if where == "body":
        return h.request(method.upper(), url, json={name: value})
    return h.request(method.upper(), url)


def date_errors(r: Any, name: str) -> list[dict[str, Any]]:
    detail = r.json().get("detail") if r.status_code == 422 else None
    if not isinstance(detail, list):
        return []     # no 422, or a route's own refusal (a date before the first night …)
    return [e for e in detail if e.get("loc") and e["loc"][-1] == name]


def test_every_date_parameter_reads_yyyy_mm_dd_only(live) -> None:  # noqa: F811
    with live.client("bureau") as h:     # the bureau key reaches every operation
        doc = h.get("/openapi.json").json()
        doors = sorted(set(date_doors(doc)))
        assert len(doors) >= 19, doors
        wheres = {w for _, _, w, _ in doors}
        assert wheres == {"query", "path", "body"}, wheres
        for method, path, where, name in doors:
            door = f"{method.upper()} {path} {where} {name}"
            values: list[Any] = [*NOT_DAYS, 1784073600] if where == "body" else NOT_DAYS
            for value in values:
                r = call(h, method, path, where, name, value)
                assert r.status_code == 422, (door, value, r.status_code, r.text[:300])
                [err] = date_errors(r, name) or [None]
                assert err is not None, (door, value, r.text[:500])
                assert err["type"] == "date_format", (door, value, err)
                msg = err["msg"]
                assert msg.index("应为日期，写作 YYYY-MM-DD") < msg.index(f"({name} must be a calendar date YYYY-MM-DD"), msg
                assert f"{name}：" in msg, msg
            # The calendar date itself passes the parameter (whatever the route then answers).
            ok = call(h, method, path, where, name, "2026-07-15")
            assert ok.status_code < 500 and date_errors(ok, name) == [], (door, ok.status_code, ok.text[:300])


def test_a_date_time_no_longer_answers_for_the_day_it_starts_with(live) -> None:  # noqa: F811
    """The outsider's case: as_of=2026-07-15T00:00:00+09:00 is 2026-07-14 on the bureau's clock."""
    with live.client("public") as h:
        r = h.get(f"/v1/entities/{A}", params={"as_of": "2026-07-15T00:00:00+09:00"})
        assert r.status_code == 422, r.text
        [err] = r.json()["detail"]
        assert err["loc"] == ["query", "as_of"] and err["input"] == "2026-07-15T00:00:00+09:00"
        assert err["msg"].startswith("查询参数 as_of：应为日期，写作 YYYY-MM-DD（年-月-日，例如 2026-07-15），不含时刻或时区 (as_of "
                                     "must be a calendar date YYYY-MM-DD"), err["msg"]
    with live.client("consumer") as h:
        r = h.post("/v1/screenings", json={"usccs": [A], "as_of": 1784073600})
        assert r.status_code == 422 and [e["loc"] for e in r.json()["detail"]] == [["body", "as_of"]], r.text
    with live.client("public") as h:
        # A day that does not exist keeps pydantic's own refusal (docs/api.md "Validation").
        r = h.get(f"/v1/entities/{A}", params={"as_of": "2026-02-30"})
        assert r.status_code == 422 and r.json()["detail"][0]["type"] == "date_from_datetime_parsing", r.text
