"""Enterprise credit-risk classification (企业信用风险分类) — domain.md §7, 国市监信发〔2022〕6号.

Every night every operating entity gets a tier A/B/C/D (信用风险低/一般/较高/高; shown locally as
良好/警示/失信/严重失信) with its ordered reasons. The method, all of it in ``config/grading.yaml``:

1. **Rules first** (直接认定): each rule that holds sets a floor — e.g. on the serious list → D,
   on the abnormal roster → at least C (domain.md §3, §4, §7), 非正常户 → at least C (§11).
2. **Score second**: a points scorecard over the indicators (:mod:`credit.grading.indicators`); the
   score's tier comes from the configured thresholds.
3. The tier is the worse of the two. Rules only raise floors and every item gives a worse value
   at least the points of a better one (checked when the config is loaded), so an adverse fact
   can never improve a tier.

Reasons are ordered the way credit bureaus order adverse-action reasons: rule hits first (worst
floor first), then scorecard items by contribution, ties in config order. An entity with nothing
adverse gets the ``no_adverse`` reason, so every grade has at least one.

The core :func:`grade` is pure and vectorised (numpy + Arrow string kernels, no per-entity
Python) so tests and the benchmark run in memory; :func:`grade_night` wires it to the store.
"""

from __future__ import annotations

import io
import json
import math
import os
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Connection, text

from credit.config import ConfigDoc, load_config
from credit.context import NightContext

TIERS: tuple[str, ...] = ("A", "B", "C", "D")
_RANK = {t: i for i, t in enumerate(TIERS)}


class ConfigError(ValueError):
    """config/grading.yaml breaks a promise of the method (e.g. an item that is not monotone)."""


@dataclass(frozen=True)
class Rule:
    """A direct determination: when ``indicator`` satisfies ``op``/``value``, the tier is at least ``floor``."""

    code: str
    text: str
    indicator: str
    op: str
    floor: str
    value: Any = None
    improve: str = ""


@dataclass(frozen=True)
class Item:
    """A scorecard item: risk points from one indicator."""

    code: str
    text: str
    indicator: str
    kind: str                      # flag | per_unit | bands | category
    points: Any = 0                # number, or {category: points}
    cap: float = math.inf
    bands: tuple[tuple[float, float], ...] = ()
    improve: str = ""


@dataclass(frozen=True)
class Scheme:
    """The grading method of one config version, validated."""

    version: str
    labels: dict[str, dict[str, str]]
    thresholds: tuple[float, float, float]   # minimum score of B, C, D
    rules: tuple[Rule, ...]
    items: tuple[Item, ...]
    no_adverse: dict[str, str]
    data: dict[str, Any]

    @property
    def indicators(self) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.rules:
            seen[r.indicator] = None
        for i in self.items:
            seen[i.indicator] = None
        return list(seen)


def scheme_of(config: ConfigDoc | Scheme) -> Scheme:
    """Validate a grading config and turn it into a :class:`Scheme` (a Scheme passes through)."""
    if isinstance(config, Scheme):
        return config
    d = config.data
    th = d["thresholds"]
    thresholds = (float(th["B"]), float(th["C"]), float(th["D"]))
    if not thresholds[0] <= thresholds[1] <= thresholds[2]:
        raise ConfigError("thresholds must satisfy B <= C <= D")
    rules: list[Rule] = []
    for r in d.get("rules", []):
        op = str(r["op"])
        if op not in ("true", ">=", "in"):
            raise ConfigError(f"rule {r['code']}: op {op!r} is not one of true, >=, in")
        if r["floor"] not in _RANK:
            raise ConfigError(f"rule {r['code']}: floor {r['floor']!r} is not a tier")
        rules.append(Rule(r["code"], r["text"], r["indicator"], op, r["floor"], r.get("value"), r.get("improve", "")))
    items: list[Item] = []
    for it in d.get("scorecard", []):
        kind = it["kind"]
        code = it["code"]
        if kind in ("flag", "per_unit"):
            if float(it["points"]) < 0:
                raise ConfigError(f"item {code}: negative points would let an adverse fact improve a tier")
            items.append(Item(code, it["text"], it["indicator"], kind, float(it["points"]),
                              float(it.get("cap", math.inf)), improve=it.get("improve", "")))
        elif kind == "bands":
            bands = tuple(sorted((float(b["min"]), float(b["points"])) for b in it["bands"]))
            pts = [p for _, p in bands]
            if any(p < 0 for p in pts) or pts != sorted(pts):
                raise ConfigError(f"item {code}: band points must not fall as the value rises")
            items.append(Item(code, it["text"], it["indicator"], kind, bands=bands, improve=it.get("improve", "")))
        elif kind == "category":
            points = {str(k): float(v) for k, v in it["points"].items()}
            order = [str(x) for x in it.get("order", list(points))]
            seq = [points.get(k, 0.0) for k in order]
            if any(p < 0 for p in seq) or seq != sorted(seq):
                raise ConfigError(f"item {code}: points must not fall along the adverseness order {order}")
            items.append(Item(code, it["text"], it["indicator"], kind, points, improve=it.get("improve", "")))
        else:
            raise ConfigError(f"item {code}: kind {kind!r} unknown")
    return Scheme(config.version, d["tiers"], thresholds, tuple(rules), tuple(items), d["no_adverse"], d)


# -- the pure core ------------------------------------------------------------------------------

def _float(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _bool(col: pd.Series) -> np.ndarray:
    return col.fillna(False).to_numpy(dtype=bool)


def _rule_mask(rule: Rule, frame: pd.DataFrame) -> np.ndarray:
    col = frame[rule.indicator]
    if rule.op == "true":
        return _bool(col)
    if rule.op == ">=":
        return _float(col) >= float(rule.value)
    hit = pc.is_in(_arrow_text(col), value_set=pa.array([str(v) for v in rule.value], pa.large_string()))
    return hit.fill_null(False).to_numpy(zero_copy_only=False)


def _item_points(item: Item, frame: pd.DataFrame) -> np.ndarray:
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
    return table[idx.fill_null(len(keys)).to_numpy(zero_copy_only=False)]


def _arrow_text(col: pd.Series) -> pa.Array:
    """A text column as an Arrow large_string array (no Python string objects on the way)."""
    arr = pa.array(col.array) if isinstance(col.dtype, pd.ArrowDtype | pd.StringDtype) else pa.array(col, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string())


def _num_text(values: np.ndarray) -> pa.Array:
    """JSON number text for a float vector (integers without '.0'); NaN never reaches here."""
    arr = pa.array(np.round(values, 2))
    return pc.cast(arr, pa.large_string())


def _quoted(col: pd.Series) -> pa.Array:
    """JSON string text for category values (tier letters, codes: no characters needing escapes)."""
    q = pa.scalar('"', pa.large_string())
    return pc.binary_join_element_wise(q, _arrow_text(col), q, pa.scalar("", pa.large_string()))


def _fragments(prefix: str, value_text: pa.Array, middle: str, contribution_text: pa.Array | str) -> pa.Array:
    n = len(value_text)
    value_text = value_text.cast(pa.large_string())
    parts: list[Any] = [pa.scalar(prefix, pa.large_string()), value_text, pa.scalar(middle, pa.large_string())]
    if isinstance(contribution_text, str):
        parts.append(pa.scalar(contribution_text + "}", pa.large_string()))
    else:
        parts.extend([contribution_text.cast(pa.large_string()), pa.scalar("}", pa.large_string())])
    out = pc.binary_join_element_wise(*parts, pa.scalar("", pa.large_string()))
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
    frags: list[pa.Array] = []

    floor_rank = np.zeros(n, dtype=np.int8)
    for idx, rule in enumerate(s.rules):
        mask = _rule_mask(rule, frame)
        r = _RANK[rule.floor]
        floor_rank = np.where(mask, np.maximum(floor_rank, r), floor_rank).astype(np.int8)
        hit = np.flatnonzero(mask)
        if not len(hit):
            continue
        col = frame[rule.indicator].iloc[hit]
        if rule.op == "true":
            vtext: pa.Array = pa.repeat(pa.scalar("true", pa.large_string()), len(hit))
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
        frags.append(_fragments(_head(item.code, item.text, kind="points"), vtext, ', "contribution": ',
                                _num_text(pts[hit])))
        rows.append(hit)
        keys1.append(np.ones(len(hit)))
        keys2.append(-pts[hit])
        keys3.append(np.full(len(hit), float(idx)))

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
    fragments = pa.concat_arrays([f.cast(pa.large_string()) for f in frags]).take(pa.array(order))
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=offsets[1:])
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), fragments)
    ls = pa.large_string()
    joined = pc.binary_join(lists, pa.scalar(", ", ls))
    reasons = pc.binary_join_element_wise(pa.scalar("[", ls), joined, pa.scalar("]", ls), pa.scalar("", ls))

    out = pd.DataFrame({
        "grade": np.asarray(TIERS)[rank],
        "score": score,
        "floor": np.asarray(TIERS)[floor_rank],
        "reasons": pd.Series(reasons, dtype=pd.ArrowDtype(pa.large_string())),
    }, index=frame.index)
    if "uscc" in frame.columns:
        out.insert(0, "uscc", frame["uscc"].array)
    return out


def to_improve(grade_: str, score: float, reasons: list[dict[str, Any]], config: ConfigDoc | Scheme | dict[str, Any]) -> list[dict[str, Any]]:
    """The facts whose change would move the grade up (better) by one tier, for an applicant.

    Every rule whose floor is worse than the target tier must go; then, if the score alone is
    still worse than the target, the largest point items are taken until the score falls below
    the target's upper threshold. Each entry names the fact, its value and what changes it.
    """
    if isinstance(config, dict):
        s = scheme_of(ConfigDoc("grading", str(config.get("version", "")), config))
    else:
        s = scheme_of(config)
    rank = _RANK[grade_]
    if rank == 0:
        return []
    target = rank - 1
    advice = {r.code: r.improve for r in s.rules} | {i.code: i.improve for i in s.items}
    out: list[dict[str, Any]] = []
    for r in reasons:
        if r.get("kind") == "rule" and _RANK[r["floor"]] > target:
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


# -- the night ----------------------------------------------------------------------------------

def distribution(grades: pd.Series) -> dict[str, int]:
    counts = grades.value_counts()
    return {t: int(counts.get(t, 0)) for t in TIERS}


def distribution_frame(dist: dict[str, int], previous: dict[str, int] | None, scheme: Scheme) -> pd.DataFrame:
    """One row per tier for the distribution check: share, previous share, |jump|, max share."""
    total = sum(dist.values())
    prev_total = sum(previous.values()) if previous else 0
    check = scheme.data.get("distribution_check", {})
    rows = []
    for t in TIERS:
        share = dist[t] / total if total else 0.0
        prev = (previous or {}).get(t, 0) / prev_total if prev_total else np.nan
        rows.append({"tier": t, "share": share, "previous_share": prev,
                     "jump": abs(share - prev) if prev_total else np.nan,
                     "max_share": float(check.get("max_share", {}).get(t, 1.0))})
    return pd.DataFrame(rows)


def check_distribution(frame: pd.DataFrame, scheme: Scheme, expectations_dir: os.PathLike[str] | str) -> list[str]:
    """Validate the tier distribution with the GX suite ``expectations/tier_distribution.json``.

    Returns one readable warning per failed expectation; never raises for a failed check — a
    jump warns the bureau, it does not stop the night (issue 5). Runbook: compare tonight's
    ``file_loads`` / ``quarantine`` per source with the previous night before acting on tiers.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    path = os.path.join(os.fspath(expectations_dir), "tier_distribution.json")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = ctx.suites.add(gx.ExpectationSuite(**doc))
    bd = (ctx.data_sources.add_pandas("grading").add_dataframe_asset("tiers")
          .add_batch_definition_whole_dataframe("night"))
    params = {"max_share_jump": float(scheme.data.get("distribution_check", {}).get("max_share_jump", 1.0))}
    res = bd.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format="COMPLETE", expectation_parameters=params)
    warnings: list[str] = []
    for r in res.results:
        if r.success:
            continue
        cfg = r.expectation_config
        idx = r.result.get("unexpected_index_list") or []
        tiers = [str(frame.loc[i, "tier"]) for i in idx if i in frame.index]
        detail = "; ".join(
            f"{t}: share {frame.loc[frame.tier == t, 'share'].iloc[0]:.4f}, previous "
            f"{frame.loc[frame.tier == t, 'previous_share'].iloc[0]:.4f}" for t in tiers)
        warnings.append(f"{cfg.type} {json.dumps(cfg.kwargs, default=str)} failed" + (f" for {detail}" if detail else ""))
    return warnings


def _previous_night(conn: Connection, night: date) -> date | None:
    return conn.execute(text("select max(night) from grading_runs where night < :n"), {"n": night}).scalar()


def _copy_grades(conn: Connection, night: date, version: str, graded: pd.DataFrame) -> None:
    """Write the night's grades with COPY (millions of rows; row inserts would take an hour)."""
    n = len(graded)
    table = pa.table({
        "night": pa.repeat(pa.scalar(night.isoformat()), n),
        "uscc": pa.array(graded["uscc"].astype(str).to_numpy(), pa.string()),
        "grade": pa.array(graded["grade"].to_numpy(), pa.string()),
        "score": pa.array(graded["score"].to_numpy(), pa.float64()),
        "config_version": pa.repeat(pa.scalar(version), n),
        "reasons": pa.array(graded["reasons"].array),
    })
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(
        "copy grades (night, uscc, grade, score, config_version, reasons) from stdin with (format csv)"
    ) as cp:
        for batch in table.to_batches(max_chunksize=500_000):
            buf = io.BytesIO()
            pacsv.write_csv(pa.Table.from_batches([batch]), buf, pacsv.WriteOptions(include_header=False))
            cp.write(buf.getvalue())


def grade_night(conn: Connection, ctx: NightContext) -> dict[str, Any]:
    """Grade every operating entity for ``ctx.night`` inside the night's transaction.

    Writes ``grades`` (one row each, with the config version), ``grade_transitions`` (from the
    previous graded night), ``grading_runs`` and the nightly report; returns a JSON-able summary
    with the distribution and the distribution-check warnings. Uses no wall-clock time.
    """
    from credit.calendar import working_calendar
    from credit.grading.indicators import build_indicators
    from credit.grading.report import write_night_report

    config = load_config("grading", ctx.settings)
    s = scheme_of(config)
    # Sort/hash memory for the indicator joins, for this transaction only (the default 4 MB spills
    # to disk at millions of entities). Operators tune it in config/grading.yaml.
    work_mem = str((config.get("database") or {}).get("work_mem", "256MB"))
    conn.execute(text("select set_config('work_mem', :m, true)"), {"m": work_mem})
    ind = build_indicators(conn, ctx.night, config, working_calendar(ctx.settings))
    graded = grade(ind.frame, s)
    _copy_grades(conn, ctx.night, config.version, graded)

    prev = _previous_night(conn, ctx.night)
    conn.execute(text(
        "insert into grade_transitions (night, from_grade, to_grade, count) "
        "select :n, coalesce(p.grade, '-'), coalesce(c.grade, '-'), count(*) "
        "from (select uscc, grade from grades where night = :n) as c "
        "full join (select uscc, grade from grades where night = :p) as p using (uscc) "
        "group by 2, 3"), {"n": ctx.night, "p": prev})

    dist = distribution(graded["grade"])
    previous = None
    if prev is not None:
        previous = conn.execute(text("select distribution from grading_runs where night = :p"), {"p": prev}).scalar()
    warnings = list(ind.warnings)
    if len(graded):
        warnings += check_distribution(distribution_frame(dist, previous, s), s, ctx.settings.expectations_dir)
    conn.execute(text(
        "insert into grading_runs (night, config_version, graded, distribution, warnings, config) "
        "values (:n, :v, :g, cast(:d as jsonb), cast(:w as jsonb), cast(:c as jsonb))"),
        {"n": ctx.night, "v": config.version, "g": len(graded), "d": json.dumps(dist),
         "w": json.dumps(warnings, ensure_ascii=False), "c": json.dumps(config.data, ensure_ascii=False, default=str)})
    report = write_night_report(conn, ctx, ind.frame, graded)
    return {"graded": len(graded), "config_version": config.version, "distribution": dist,
            "previous_night": prev.isoformat() if prev else None, "warnings": warnings, "report": str(report)}


def grade_of(conn: Connection, uscc: str, as_of: date) -> dict[str, Any] | None:
    """The latest grade of ``uscc`` on or before ``as_of``, with reasons and what would improve it."""
    row = conn.execute(text(
        "select g.night, g.grade, g.score, g.config_version, g.reasons, r.config "
        "from grades as g left join grading_runs as r using (night) "
        "where g.uscc = :u and g.night <= :d order by g.night desc limit 1"),
        {"u": uscc.strip().upper(), "d": as_of}).mappings().first()
    if row is None:
        return None
    cfg = row["config"] or load_config("grading").data
    labels = cfg["tiers"][row["grade"]]
    reasons = [{k: r.get(k) for k in ("code", "text", "value", "contribution")} | (
        {"floor": r["floor"]} if "floor" in r else {}) for r in row["reasons"]]
    return {
        "grade": row["grade"], "label": labels["label"], "local_label": labels["local_label"],
        "score": float(row["score"]), "night": row["night"].isoformat(), "config_version": row["config_version"],
        "reasons": reasons,
        "to_improve": to_improve(row["grade"], float(row["score"]), row["reasons"], cfg),
    }
