"""GET /metrics (issue 15): API requests by route template, and the nights read from the database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine

from credit.api.app import create_app
from credit.api.auth import create_key
from credit.api.metrics import allowed_networks, from_allowed_network
from credit.config import ConfigDoc
from credit.settings import Settings
from tests.db.api.support import Live, live  # noqa: F401
from tests.db.quality.test_api import two_nights


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(text) for s in fam.samples}


def test_metrics_count_requests_by_route_and_read_the_nights(live: Live, tmp_path: Path) -> None:  # noqa: F811
    with live.client() as h:                     # the test's server listens on loopback: allowed
        first = samples(h.get("/metrics").text)
        assert first[("credit_nights_published", ())] == 0
        assert first[("credit_night_metrics_up", ())] == 1
    two_nights(live, tmp_path)
    with live.client("bureau") as h:
        for night in ("2026-07-13", "2026-07-14", "2026-07-99"):
            h.get(f"/v1/bureau/quality/{night}")
        h.get("/no/such/page")
    with live.client() as h:
        m = samples(h.get("/metrics").text)
    route = "/v1/bureau/quality/{night}"
    assert m[("credit_api_requests_total", (("method", "GET"), ("route", route), ("status", "200")))] == 2
    assert m[("credit_api_requests_total", (("method", "GET"), ("route", route), ("status", "422")))] == 1
    assert m[("credit_api_requests_total", (("method", "GET"), ("route", "(unmatched)"), ("status", "404")))] == 1
    assert m[("credit_api_request_duration_seconds_count", (("method", "GET"), ("route", route)))] == 3
    assert m[("credit_nights_published", ())] == 2
    assert m[("credit_night_last_published_date_seconds", ())] == datetime(2026, 7, 14, tzinfo=UTC).timestamp()
    assert m[("credit_night_rows", (("outcome", "in"), ("source", "registration")))] == 3
    assert m[("credit_night_quarantine_share", (("source", "registration"),))] == 0
    assert m[("credit_night_failed_expectations", (("source", "registration"),))] == 0
    assert ("credit_night_stage_seconds", (("stage", "ingest registration.csv"),)) in m
    assert ("credit_night_decisions", ()) in m


def test_metrics_elsewhere_need_the_bureau_role(engine: Engine, settings: Settings) -> None:
    with engine.begin() as c:
        keys = {role: create_key(c, role, f"测试{role}", "test")[1] for role in ("consumer", "bureau")}
    with TestClient(create_app(settings)) as h:    # its client address is not on an allowed network
        assert h.get("/metrics").status_code == 403
        assert h.get("/metrics", headers={"X-API-Key": keys["consumer"]}).status_code == 403
        r = h.get("/metrics", headers={"X-API-Key": keys["bureau"]})
        assert r.status_code == 200 and "credit_nights_published" in r.text


@pytest.mark.parametrize(("address", "ok"), [("127.0.0.1", True), ("::1", True), ("10.1.2.3", False),
                                              ("testclient", False)])
def test_allowed_networks_default_to_loopback(address: str, ok: bool) -> None:
    assert from_allowed_network(address, allowed_networks(ConfigDoc("api", "t", {}))) is ok
    assert from_allowed_network("10.1.2.3", allowed_networks(ConfigDoc("api", "t", {"metrics": {
        "allowed_networks": ["10.0.0.0/8"]}})))
