"""A certificate of a full bulk screening can be re-checked at ``POST /v1/certificates/verify``
(issue 7: "anyone can later re-check it against the log (an endpoint …)"). A screening takes up to
10,000 codes; its certificate is over 1 MB even when none is registered, and the verify endpoint
answered 413 "请求体过大" under the 1 MB limit every other body has."""

from __future__ import annotations

import json

from tests.db.api.support import live, make_uscc, seed_story  # noqa: F401


def test_a_certificate_of_ten_thousand_codes_is_verified(live) -> None:  # noqa: F811
    seed_story(live)
    codes = [make_uscc(i, "330106") for i in range(10_000)]
    with live.client("consumer") as h:
        issued = h.post("/v1/screenings", json={"usccs": codes, "as_of": "2026-07-15"}, timeout=120)
        assert issued.status_code == 200, issued.text[:300]
        cert = issued.json()
        assert len(cert["results"]) == 10_000
        body = json.dumps(cert, ensure_ascii=False, indent=2).encode("utf-8")   # as a holder may have saved it
        assert len(body) > 1_048_576        # larger than the limit of every other request body
        checked = h.post("/v1/certificates/verify", content=body, headers={"content-type": "application/json"},
                         timeout=120)
    assert checked.status_code == 200, checked.text[:300]
    assert checked.json()["verdict"] == "valid", checked.text[:300]
    # every other body keeps its 1 MB limit
    with live.client("consumer") as h:
        big = h.post("/v1/screenings", content=b"{" + b" " * 1_100_000 + b"}",
                     headers={"content-type": "application/json"})
    assert big.status_code == 413


def test_a_screening_of_too_many_codes_is_refused_without_echoing_them_all(live) -> None:  # noqa: F811
    """10,001 codes: 422 naming the limit; the answer carries the first codes and the count, not the
    whole list back (about 210 KB; up to the body's 1 MB)."""
    seed_story(live)
    codes = [make_uscc(i, "330106") for i in range(10_001)]
    with live.client("consumer") as h:
        r = h.post("/v1/screenings", json={"usccs": codes, "as_of": "2026-07-15"}, timeout=120)
    assert r.status_code == 422, r.text[:300]
    detail = r.json()["detail"][0]
    assert detail["type"] == "too_long" and detail["loc"][-1] == "usccs"
    assert detail["input"] == codes[:10] and detail["input_length"] == 10_001
    assert len(r.content) < 5_000, len(r.content)
