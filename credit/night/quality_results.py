"""The data quality view (数据质量, issue 15): every published night's Great Expectations results.

Ingest keeps, per file, one :class:`ExpectationRecord` for *every* expectation of the source's
suite — the ones that held too — with its kwargs, its verdict and what it measured (the unexpected
count and percentage of a row expectation, the observed value of an aggregate one). The records
wait in the night's staging with the file (``night_staging_files.expectations``) and are moved
into ``quality_results`` inside the publishing transaction (:mod:`credit.night.staging`), so a
reader sees the results of published nights only; a refused drop's results go with its staging.

Readers: the bureau page ``/bureau/quality/{night}``, ``GET /v1/bureau/quality/{night}`` and
``credit quality --night D``. Each result carries its trend: the same expectation (same source,
type and kwargs) over the last published nights.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import date
from typing import Any, TypedDict

from sqlalchemy.engine import Connection

from credit import sqlfiles

TREND_NIGHTS = 14
"""How many published nights (up to the one shown) a result's trend covers."""

#: The rule of each Great Expectations type as officers read it: Chinese first, the English after, as
#: every officer-facing line (the quality page and ``credit quality``; the GX type stays in
#: ``expectation``). A type without an entry is named by :func:`expectation_label`.
EXPECTATION_LABELS = {
    "expect_column_proportion_of_non_null_values_to_be_between": "非空比例不低于下限 (share of non-empty values at least the minimum)",
    "expect_column_values_to_not_be_null": "不得为空 (must not be empty)",
    "expect_column_values_to_be_null": "应为空 (must be empty)",
    "expect_column_values_to_match_regex": "符合格式 (matches the format)",
    "expect_column_values_to_not_match_regex": "不符合所列格式 (matches none of the listed formats)",
    "expect_column_values_to_be_in_set": "取值在允许范围内 (one of the allowed values)",
    "expect_column_values_to_not_be_in_set": "取值不在所列值中 (none of the listed values)",
    "expect_column_value_lengths_to_be_between": "长度在范围内 (length within the range)",
    "expect_column_values_to_be_between": "数值在范围内 (value within the range)",
}


def expectation_label(expectation: str) -> str:
    """The officers' name of a Great Expectations type (:data:`EXPECTATION_LABELS`); a type the
    bureau's suite adds without one is said as 其他规则 with its GX name, never the bare English."""
    return EXPECTATION_LABELS.get(expectation, f"其他规则 (other rule: {expectation})")


KWARG_LABELS = {"regex": "格式", "value_set": "允许值", "min_value": "下限", "max_value": "上限", "mostly": "至少"}


class ExpectationRecord(TypedDict):
    """One expectation of a file's suite on one night, as ingest found it (JSON-safe)."""

    seq: int
    expectation: str
    column: str | None
    kwargs: dict[str, Any]
    critical: bool
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    missing_count: int | None
    observed_value: Any


def _plain(value: Any) -> Any:
    """A GX value as plain JSON (numpy scalars to Python numbers; NaN to None)."""
    text = json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v))
    out = json.loads(text)
    return None if isinstance(out, float) and not math.isfinite(out) else out


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def records_of(results: Iterable[Any]) -> list[ExpectationRecord]:
    """The records of a GX validation's results (``ExpectationValidationResult``s), in suite order."""
    out: list[ExpectationRecord] = []
    for seq, r in enumerate(results):
        cfg = r.expectation_config
        kwargs = {k: _plain(v) for k, v in dict(cfg.kwargs).items() if k != "batch_id"}
        res = r.result or {}
        out.append({
            "seq": seq, "expectation": str(cfg.type), "column": kwargs.get("column"), "kwargs": kwargs,
            "critical": bool((cfg.meta or {}).get("critical")), "success": bool(r.success),
            "element_count": _int(res.get("element_count")),
            "unexpected_count": _int(res.get("unexpected_count")),
            "unexpected_percent": _float(res.get("unexpected_percent")),
            "missing_count": _int(res.get("missing_count")),
            "observed_value": _plain(res.get("observed_value")),
        })
    return out


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
class TrendPoint(TypedDict):
    night: date
    success: bool
    value: float | None


class QualityResult(TypedDict):
    """One expectation of one file on a published night, with its trend over the last nights."""

    file: str
    source: str
    seq: int
    expectation: str
    label: str
    column: str | None
    kwargs: dict[str, Any]
    parameters: str
    critical: bool
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    missing_count: int | None
    observed_value: Any
    measure: float | None
    trend: list[TrendPoint]


class QualityNight(TypedDict):
    """A published night that has quality results: how many expectations, how many failed."""

    night: date
    files: int
    expectations: int
    failed: int


def measure(unexpected_percent: float | None, observed_value: Any) -> float | None:
    """The one number a trend follows: the share of unexpected rows (%), else the observed value."""
    if unexpected_percent is not None:
        return float(unexpected_percent)
    if isinstance(observed_value, int | float) and not isinstance(observed_value, bool):
        return float(observed_value)
    return None


def parameters(kwargs: dict[str, Any]) -> str:
    """The kwargs an officer needs (the column is shown apart), in Chinese."""
    parts = []
    for k, v in kwargs.items():
        if k in ("column", "result_format"):
            continue
        shown = "/".join(str(x) for x in v) if isinstance(v, list) else str(v)
        parts.append(f"{KWARG_LABELS.get(k, k)}：{shown}")
    return "；".join(parts)


def quality_nights(conn: Connection, limit: int = 60) -> list[QualityNight]:
    """The latest published nights with results, newest first."""
    rows = conn.execute(sqlfiles.statement("quality/nights"), {"limit": limit}).mappings()
    return [{"night": r["night"], "files": int(r["files"]), "expectations": int(r["expectations"]),
             "failed": int(r["failed"])} for r in rows]


def night_results(conn: Connection, night: date, trend_nights: int = TREND_NIGHTS) -> list[QualityResult]:
    """Every expectation of every file of published night ``night`` (empty: none published),
    by file and suite order, each with its trend over the last ``trend_nights`` published nights."""
    rows = conn.execute(sqlfiles.statement("quality/night_results"), {"night": night}).mappings().all()
    trends: dict[tuple[str, int], list[TrendPoint]] = {}
    for t in conn.execute(sqlfiles.statement("quality/trend"), {"night": night, "n": trend_nights}).mappings():
        trends.setdefault((t["file"], int(t["seq"])), []).append(
            {"night": t["at"], "success": bool(t["success"]), "value": measure(t["unexpected_percent"],
                                                                                t["observed_value"])})
    out: list[QualityResult] = []
    for r in rows:
        kwargs = dict(r["kwargs"])
        out.append({
            "file": r["file"], "source": r["source"], "seq": int(r["seq"]), "expectation": r["expectation"],
            "label": expectation_label(r["expectation"]), "column": r["column_name"],
            "kwargs": kwargs, "parameters": parameters(kwargs), "critical": bool(r["critical"]),
            "success": bool(r["success"]), "element_count": r["element_count"],
            "unexpected_count": r["unexpected_count"], "unexpected_percent": r["unexpected_percent"],
            "missing_count": r["missing_count"], "observed_value": r["observed_value"],
            "measure": measure(r["unexpected_percent"], r["observed_value"]),
            "trend": trends.get((r["file"], int(r["seq"])), []),
        })
    return out
