"""``GET /metrics``: Prometheus metrics of the API and of the nights (issue 15, docs/api.md "Metrics").

- API: ``credit_api_requests_total{method,route,status}`` and the histogram
  ``credit_api_request_duration_seconds{method,route}``, by route *template* (``/v1/entities/{uscc}``,
  never the path itself, so the series stay few; unrouted requests count as ``(unmatched)``).
- The nights: :class:`credit.night.metrics.NightCollector`, read from the database at each scrape.

Access: without a key only from the networks of config/api.yaml ``metrics.allowed_networks``
(the Prometheus server's; loopback by default); from anywhere else the caller needs the bureau
role (``X-API-Key`` / ``Authorization: Bearer`` of a bureau key, or a bureau page session),
otherwise 403. Each app has its own registry (several apps in one process do not mix figures).
"""

from __future__ import annotations

import ipaddress
import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credit.api.auth import Principal
from credit.api.deps import caller, client_address, state
from credit.config import ConfigDoc

DEFAULT_NETWORKS = ("127.0.0.1/32", "::1/128")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

metrics_router = APIRouter(include_in_schema=False)


class ApiMetrics:
    """The API's request counters and durations, in the app's own registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.requests = Counter("credit_api_requests", "HTTP requests by route template and status",
                                ["method", "route", "status"], registry=registry)
        self.durations = Histogram("credit_api_request_duration_seconds", "HTTP request durations by route template",
                                   ["method", "route"], registry=registry, buckets=BUCKETS)


class MetricsMiddleware:
    """Counts and times every HTTP request by the template of the route that served it."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500   # what the client gets when the app fails before answering

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.durations.labels(method, route).observe(time.perf_counter() - start)


def allowed_networks(config: ConfigDoc) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """config/api.yaml ``metrics.allowed_networks`` (default: loopback only)."""
    given = (config.get("metrics") or {}).get("allowed_networks")
    return [ipaddress.ip_network(str(n), strict=False) for n in (DEFAULT_NETWORKS if given is None else given)]


def from_allowed_network(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


@metrics_router.get("/metrics")
def metrics(request: Request, who: Annotated[Principal, Depends(caller)]) -> Response:
    """The Prometheus text exposition: API requests and the nights."""
    st = state(request)
    if not from_allowed_network(client_address(request), allowed_networks(st.config)) and not who.allows("bureau"):
        raise HTTPException(403, "指标仅向配置的网络或监管部门角色开放 (metrics: allowed networks or the bureau role only)")
    registry: CollectorRegistry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})
