"""The data quality view of the bureau (数据质量, issue 15): a page and a JSON route.

- ``/bureau/quality``: the latest published night's results; ``/bureau/quality/{night}``: one
  night's — per file, each expectation of its Great Expectations suite with its parameters, what
  it observed (unexpected rows and their share, or the measured value), pass or fail, and its trend
  over the last published nights as a small inline SVG line (no JavaScript, no inline styles).
  Behind the bureau sign-in, like the other ``/bureau`` pages (a caller without the bureau role is
  sent to its sign-in form).
- ``GET /v1/bureau/quality`` (nights with results) and ``GET /v1/bureau/quality/{night}`` (bureau role).

The results are those :mod:`credit.night.quality_results` keeps for published nights only.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, TypedDict

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from credit.api.auth import Principal
from credit.api.deps import ServiceState, caller, connection, require, state
from credit.api.validation import Day
from credit.api.workbench import bureau_page
from credit.clock import calendar_day
from credit.contract.sources import SOURCES
from credit.night.quality_results import QualityResult, TrendPoint, night_results, quality_nights

quality_pages = APIRouter(include_in_schema=False)
quality_api = APIRouter(prefix="/v1/bureau", tags=["bureau"], dependencies=[Depends(require("bureau"))])
St = Annotated[ServiceState, Depends(state)]
Who = Annotated[Principal, Depends(caller)]
Conn = Annotated[Connection, Depends(connection)]

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 28, 3


class Sparkline(TypedDict):
    """An inline SVG line of a result's trend: its points, the scale's top and the values as text."""

    width: int
    height: int
    points: str
    dots: list[tuple[float, float, bool]]
    top: str
    text: str


def _fmt(value: float | None, percent: bool) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}%" if percent else f"{value:.4g}"


def sparkline(trend: list[TrendPoint], percent: bool) -> Sparkline:
    """The trend as an SVG polyline on an honest scale: from 0 to the largest value shown (100% for a
    share that reached it), the top written beside it; failed nights are marked by a red dot."""
    values = [t["value"] for t in trend]
    known = [v for v in values if v is not None]
    top = max(known, default=0.0)
    if not percent and 0 < top <= 1:
        top = 1.0                  # a proportion: the whole scale 0–1
    span = top if top > 0 else 1.0
    n = len(trend)
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(n - 1, 1)
    coords: list[tuple[float, float, bool]] = []
    for i, t in enumerate(trend):
        if t["value"] is None:
            continue
        x = SPARK_PAD + i * step if n > 1 else SPARK_WIDTH / 2
        y = SPARK_HEIGHT - SPARK_PAD - (t["value"] / span) * (SPARK_HEIGHT - 2 * SPARK_PAD)
        coords.append((round(x, 1), round(y, 1), t["success"]))
    return {"width": SPARK_WIDTH, "height": SPARK_HEIGHT,
            "points": " ".join(f"{x},{y}" for x, y, _ in coords), "dots": coords,
            "top": _fmt(top, percent),
            "text": "，".join(f"{t['night'].isoformat()[5:]} {_fmt(t['value'], percent)}" for t in trend)}


def _observed(r: QualityResult) -> str:
    if r["unexpected_count"] is not None:
        share = _fmt(r["unexpected_percent"], True)
        return f"{r['unexpected_count']} / {r['element_count'] or 0} 行不符合（{share}）"
    if r["observed_value"] is not None:
        return f"观测值 {_fmt(r['measure'], False) if r['measure'] is not None else r['observed_value']}"
    return "—"


def _files(results: list[QualityResult]) -> list[dict[str, Any]]:
    """The results grouped by file, in file order, each row ready for the page."""
    files: dict[str, dict[str, Any]] = {}
    for r in results:
        f = files.setdefault(r["file"], {"file": r["file"], "source": r["source"],
                                         "label": SOURCES[r["source"]].label if r["source"] in SOURCES else r["source"],
                                         "rows": [], "failed": 0})
        percent = r["unexpected_percent"] is not None
        f["rows"].append({**r, "observed": _observed(r), "spark": sparkline(r["trend"], percent)})
        f["failed"] += 0 if r["success"] else 1
    return list(files.values())


@quality_pages.get("/bureau/quality", response_class=HTMLResponse)
def quality_latest(request: Request, st: St, who: Who) -> Response:
    if not who.allows("bureau"):
        return RedirectResponse("/bureau", status_code=303)
    with st.connect() as conn:
        nights = quality_nights(conn, limit=1)
    if not nights:
        return _render(request, st, who, None, [], [], status=404, error="尚无已发布批次的数据质量结果。")
    return RedirectResponse(f"/bureau/quality/{nights[0]['night'].isoformat()}", status_code=303)


@quality_pages.get("/bureau/quality/{night}", response_class=HTMLResponse)
def quality_page(request: Request, st: St, who: Who, night: str) -> Response:
    if not who.allows("bureau"):
        return RedirectResponse("/bureau", status_code=303)
    try:
        d = calendar_day(night)
    except ValueError:
        return _render(request, st, who, None, [], [], status=422, error=f"批次日期“{night[:40]}”格式应为 YYYY-MM-DD")
    with st.connect() as conn:
        nights = quality_nights(conn)
        results = night_results(conn, d)
    if not results:
        return _render(request, st, who, d, nights, [], status=404, error=f"{d} 没有已发布的数据质量结果。")
    return _render(request, st, who, d, nights, _files(results))


def _render(request: Request, st: ServiceState, who: Principal, night: date | None, nights: list[Any], files: list[dict[str, Any]],
            status: int = 200, error: str | None = None) -> HTMLResponse:
    """The page inside the workbench: its navigation, the signed-in officer and the bureau's today."""
    return bureau_page(request, st, who, "quality.html", status, night=night, nights=nights, files=files, error=error)


# ---------------------------------------------------------------------------------------- JSON
class TrendPointOut(BaseModel):
    night: date
    success: bool
    value: float | None = Field(description="unexpected rows in % (row expectations), else the observed value")


class QualityResultOut(BaseModel):
    file: str
    source: str
    seq: int = Field(description="the expectation's place in the source's suite")
    expectation: str = Field(description="Great Expectations type")
    label: str = Field(description="中文说明，其后为英文 (Chinese, then English)")
    column: str | None
    kwargs: dict[str, Any]
    critical: bool = Field(description="judges the whole file (a failure refuses the night); else holds back rows")
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    missing_count: int | None
    observed_value: Any
    trend: list[TrendPointOut] = Field(description="the same expectation over the last published nights")


class QualityNightOut(BaseModel):
    night: date
    files: int
    expectations: int
    failed: int


class QualityNightsOut(BaseModel):
    nights: list[QualityNightOut]


class QualityOut(BaseModel):
    night: date
    results: list[QualityResultOut]


def _json(doc: Any) -> JSONResponse:
    return JSONResponse(json.loads(json.dumps(doc, ensure_ascii=False, default=str)))


@quality_api.get("/quality", response_model=QualityNightsOut)
def quality_nights_route(conn: Conn, limit: Annotated[int, Query(ge=1, le=366)] = 60) -> JSONResponse:
    """The published nights with data quality results, newest first."""
    return _json({"nights": quality_nights(conn, limit)})


@quality_api.get("/quality/{night}", response_model=QualityOut)
def quality_night_route(conn: Conn, night: Annotated[Day, PathParam(description="YYYY-MM-DD")]) -> JSONResponse:
    """Every Great Expectations result of a published night, per file, with its trend."""
    d = night
    results = night_results(conn, d)
    if not results:
        raise HTTPException(404, f"{d} 没有已发布的数据质量结果 (no published quality results for that night)")
    keep = set(QualityResultOut.model_fields)
    return _json({"night": d, "results": [{k: v for k, v in r.items() if k in keep} for r in results]})
