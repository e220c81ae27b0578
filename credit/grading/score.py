"""Enterprise credit-risk classification (企业信用风险分类) — domain.md §7, 国市监信发〔2022〕6号.

Every night every operating entity gets a tier A/B/C/D (信用风险低/一般/较高/高: the labels say only
the tier; 失信 / 严重失信 of local notices name roster status, not a tier — config/grading.yaml
``tiers``, issue 13) with its ordered reasons. The method, all of it in ``config/grading.yaml``:

1. **Rules first** (直接认定): each rule that holds sets a floor — e.g. on the serious list → D,
   on the abnormal roster, or a 个体工商户 marked abnormal (its own rule, §2) → at least C
   (domain.md §3, §4, §7), 非正常户 → at least C (§11).
2. **Score second**: a points scorecard over the indicators (:mod:`credit.grading.indicators`); the
   score's tier comes from the configured thresholds.
3. The tier is the worse of the two. Rules only raise floors and every item gives a worse value
   at least the points of a better one (checked when the config is loaded), so an adverse fact
   can never improve a tier.

Reasons are ordered the way credit bureaus order adverse-action reasons: rule hits first (worst
floor first), then scorecard items by contribution, ties in config order. An entity with nothing
adverse gets the ``no_adverse`` reason, so every grade has at least one.

The core :func:`grade` is pure and vectorised (numpy + Arrow string kernels, no per-entity
Python) so tests and the benchmark run in memory; :func:`credit.grading.night.grade_night` wires it to the store.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from credit.config import ConfigDoc
from credit.grading.scheme import TIER_RANK, TIERS, Item, Rule, Scheme, scheme_of

if TYPE_CHECKING:
    from pyarrow.lib import LargeStringType

    #: Arrow text the reasons are assembled from (large_string: offsets beyond 2 GB at millions of rows).
    Text: TypeAlias = pa.Array[pa.Scalar[LargeStringType]]

Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]


class Improvement(TypedDict):
    """A fact whose change would move a grade up one tier (:func:`to_improve`)."""

    code: str
    text: str
    value: bool | float | str | None      # the indicator's value as the reason recorded it
    change: str                           # what changes the fact (config ``improve``)
    points_removed: float | None          # None for a rule: its floor goes as a whole


def _float(col: pd.Series) -> Floats:
    values: Floats = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return values


def _bool(col: pd.Series) -> Flags:
    return col.fillna(False).to_numpy(dtype=bool)


def _rule_mask(rule: Rule, frame: pd.DataFrame) -> Flags:
    col = frame[rule.indicator]
    if rule.op == "true":
        return _bool(col)
    if rule.op == ">=":
        return _float(col) >= float(rule.value)
    hit = pc.is_in(_arrow_text(col), value_set=pa.array([str(v) for v in rule.value], pa.large_string()))
    mask: Flags = hit.fill_null(False).to_numpy(zero_copy_only=False)
    return mask


def _item_points(item: Item, frame: pd.DataFrame) -> Floats:
    col = frame[item.indicator]
    if item.kind == "flag":
        return np.where(_bool(col), float(item.points), 0.0)
    if item.kind == "per_unit":
        units = np.clip(np.nan_to_num(_float(col), nan=0.0), 0.0, item.cap)
        return float(item.points) * units
    if item.kind == "bands":
        v = _float(col)
        pts = np.zeros(len(v))
        for lo, p in item.bands:
            pts = np.where(v >= lo, p, pts)  # NaN compares False: unknown scores nothing
        return pts
    keys = list(item.points)
    idx = pc.index_in(_arrow_text(col), value_set=pa.array(keys, pa.large_string()))
    table = np.append(np.asarray([item.points[k] for k in keys], dtype=np.float64), 0.0)
    points: Floats = table[idx.fill_null(len(keys)).to_numpy(zero_copy_only=False)]
    return points


def _arrow_text(col: pd.Series) -> Text:
    """A text column as an Arrow large_string array (no Python string objects on the way)."""
    arr = pa.array(col.array) if isinstance(col.dtype, pd.ArrowDtype | pd.StringDtype) else pa.array(col, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    text: Text = arr.cast(pa.large_string())
    return text


def _num_text(values: Floats) -> Text:
    """JSON number text for a float vector (integers without '.0'); NaN never reaches here."""
    arr = pa.array(np.round(values, 2))
    return pc.cast(arr, pa.large_string())


def _quoted(col: pd.Series) -> Text:
    """JSON string text for category values (tier letters, codes: no characters needing escapes)."""
    q = pa.scalar('"', pa.large_string())
    return _concat_text(q, _arrow_text(col), q)


def _concat_text(*parts: pa.Scalar[LargeStringType] | Text) -> Text:
    """Element-wise concatenation of text arrays and scalars (a scalar repeats along the arrays)."""
    # pyarrow-stubs: the kernel broadcasts scalars along the arrays, but the overloads take all
    # scalars or all arrays, so a mixed call neither matches nor has an array result type.
    joined: Text = pc.binary_join_element_wise(*parts, pa.scalar("", pa.large_string()))  # type: ignore[type-var,assignment]
    return joined


def _fragments(prefix: str, value_text: Text, middle: str, contribution_text: Text | str) -> Text:
    n = len(value_text)
    ls = pa.large_string()
    parts: list[pa.Scalar[LargeStringType] | Text] = [pa.scalar(prefix, ls), value_text, pa.scalar(middle, ls)]
    if isinstance(contribution_text, str):
        parts.append(pa.scalar(contribution_text + "}", ls))
    else:
        parts.extend([contribution_text, pa.scalar("}", ls)])
    out = _concat_text(*parts)
    assert len(out) == n
    return out


def _head(code: str, text_: str, **extra: Any) -> str:
    body = json.dumps({"code": code, "text": text_, **extra}, ensure_ascii=False)
    return body[:-1] + ', "value": '


def grade(frame: pd.DataFrame, config: ConfigDoc | Scheme) -> pd.DataFrame:
    """Grade an indicator frame (one row per entity; columns of :mod:`credit.grading.indicators`).

    Returns a frame in the input's row order with ``uscc`` (when given), ``grade`` (A–D),
    ``score`` (risk points), ``floor`` (tier the rules impose, A when none) and ``reasons``: a
    JSON array per row of ``{"code", "text", "kind", "value", "contribution"}`` (rules also carry
    ``floor`` and have ``contribution`` null), ordered as in the module docstring.
    Deterministic: the same frame and config give the same output, byte for byte.
    """
    s = scheme_of(config)
    n = len(frame)
    if n == 0:
        empty = pd.DataFrame({"grade": pd.Series([], dtype=object), "score": pd.Series([], dtype=np.float64),
                              "floor": pd.Series([], dtype=object),
                              "reasons": pd.Series([], dtype=pd.ArrowDtype(pa.large_string()))}, index=frame.index)
        if "uscc" in frame.columns:
            empty.insert(0, "uscc", frame["uscc"].array)
        return empty
    rows: list[np.ndarray] = []
    keys1: list[np.ndarray] = []
    keys2: list[np.ndarray] = []
    keys3: list[np.ndarray] = []
    frags: list[Text] = []

    floor_rank = np.zeros(n, dtype=np.int8)
    for idx, rule in enumerate(s.rules):
        mask = _rule_mask(rule, frame)
        r = TIER_RANK[rule.floor]
        floor_rank = np.where(mask, np.maximum(floor_rank, r), floor_rank).astype(np.int8)
        hit = np.flatnonzero(mask)
        if not len(hit):
            continue
        col = frame[rule.indicator].iloc[hit]
        if rule.op == "true":
            vtext: Text = pa.repeat(pa.scalar("true", pa.large_string()), len(hit))
        elif rule.op == ">=":
            vtext = _num_text(_float(col))
        else:
            vtext = _quoted(col)
        frags.append(_fragments(_head(rule.code, rule.text, kind="rule", floor=rule.floor), vtext,
                                ', "contribution": ', "null"))
        rows.append(hit)
        keys1.append(np.zeros(len(hit)))
        keys2.append(np.full(len(hit), -float(r)))
        keys3.append(np.full(len(hit), float(idx)))

    score = np.zeros(n)
    for idx, item in enumerate(s.items):
        pts = _item_points(item, frame)
        score = score + pts
        hit = np.flatnonzero(pts > 0)
        if not len(hit):
            continue
        col = frame[item.indicator].iloc[hit]
        if item.kind == "flag":
            vtext = pa.repeat(pa.scalar("true", pa.large_string()), len(hit))
        elif item.kind == "category":
            vtext = _quoted(col)
        else:
            vtext = _num_text(_float(col))
        if item.band_texts:
            # The reached band names the reason ("银行贷款逾期超过90天"): one fragment group per band.
            band = np.searchsorted(np.asarray([lo for lo, _ in item.bands]), _float(col), side="right") - 1
            groups = [(np.flatnonzero(band == b), item.text_of_band(b)) for b in range(len(item.bands))]
        else:
            groups = [(np.arange(len(hit)), item.text)]
        for sel, wording in groups:
            if not len(sel):
                continue
            at = pa.array(sel, pa.int64())
            frags.append(_fragments(_head(item.code, wording, kind="points"), vtext.take(at), ', "contribution": ',
                                    _num_text(pts[hit[sel]])))
            rows.append(hit[sel])
            keys1.append(np.ones(len(sel)))
            keys2.append(-pts[hit[sel]])
            keys3.append(np.full(len(sel), float(idx)))

    score = np.round(score, 2)
    t_b, t_c, t_d = s.thresholds
    score_rank = (score >= t_b).astype(np.int8) + (score >= t_c) + (score >= t_d)
    rank = np.maximum(floor_rank, score_rank)

    # Entities with nothing adverse get the neutral reason, so no grade is without one.
    counts = np.bincount(np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64), minlength=n)
    clean = np.flatnonzero(counts == 0)
    if len(clean):
        neutral = json.dumps({"code": s.no_adverse["code"], "text": s.no_adverse["text"], "kind": "none",
                              "value": None, "contribution": 0}, ensure_ascii=False)
        frags.append(pa.repeat(pa.scalar(neutral, pa.large_string()), len(clean)))
        rows.append(clean)
        keys1.append(np.full(len(clean), 2.0))
        keys2.append(np.zeros(len(clean)))
        keys3.append(np.zeros(len(clean)))

    row = np.concatenate(rows)
    # One int64 key instead of a 4-key lexsort: row | class (rule, points, none) | worst first | config order.
    # Contributions are kept to 0.01 point below 2^20 (10,485 points); config indexes below 2^8.
    severity = np.clip(np.round(-np.concatenate(keys2) * 100), 0, (1 << 20) - 1).astype(np.int64)
    key = ((row.astype(np.int64) << 30) | (np.concatenate(keys1).astype(np.int64) << 28)
           | (((1 << 20) - 1 - severity) << 8) | np.concatenate(keys3).astype(np.int64))
    order = np.argsort(key, kind="stable")
    fragments = pa.concat_arrays(frags).take(pa.array(order, pa.int64()))
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=offsets[1:])
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), fragments)
    ls = pa.large_string()
    # An array (not chunked) of large_string lists joins into an array of large_string.
    joined = cast("Text", pc.binary_join(lists, pa.scalar(", ", ls)))
    reasons = _concat_text(pa.scalar("[", ls), joined, pa.scalar("]", ls))

    out = pd.DataFrame({
        "grade": np.asarray(TIERS)[rank],
        "score": score,
        "floor": np.asarray(TIERS)[floor_rank],
        "reasons": pd.Series(reasons, dtype=pd.ArrowDtype(pa.large_string())),
    }, index=frame.index)
    if "uscc" in frame.columns:
        out.insert(0, "uscc", frame["uscc"].array)
    return out


def to_improve(grade_: str, score: float, reasons: list[dict[str, Any]],
               config: ConfigDoc | Scheme | dict[str, Any]) -> list[Improvement]:
    """The facts whose change would move the grade up (better) by one tier, for an applicant.

    Every rule whose floor is worse than the target tier must go; then, if the score alone is
    still worse than the target, the largest point items are taken until the score falls below
    the target's upper threshold. Each entry names the fact, its value and what changes it.
    """
    if isinstance(config, dict):
        s = scheme_of(ConfigDoc("grading", str(config.get("version", "")), config))
    else:
        s = scheme_of(config)
    rank = TIER_RANK[grade_]
    if rank == 0:
        return []
    target = rank - 1
    advice = {r.code: r.improve for r in s.rules} | {i.code: i.improve for i in s.items}
    out: list[Improvement] = []
    for r in reasons:
        if r.get("kind") == "rule" and TIER_RANK[r["floor"]] > target:
            out.append({"code": r["code"], "text": r["text"], "value": r.get("value"),
                        "change": advice.get(r["code"], ""), "points_removed": None})
    limit = s.thresholds[target]   # minimum score of the tier just worse than the target
    remaining = float(score)
    items = sorted((r for r in reasons if r.get("kind") == "points"), key=lambda r: -float(r["contribution"]))
    for r in items:
        if remaining < limit:
            break
        remaining -= float(r["contribution"])
        out.append({"code": r["code"], "text": r["text"], "value": r.get("value"),
                    "change": advice.get(r["code"], ""), "points_removed": r["contribution"]})
    return out


def distribution(grades: pd.Series) -> dict[str, int]:
    counts = grades.value_counts()
    return {t: int(counts.get(t, 0)) for t in TIERS}
