"""The grading method of one configuration version (config/grading.yaml), validated — domain.md §7.

The tiers, their order, the direct-determination rules and the points scorecard. Loading refuses a
configuration that would let an adverse fact improve a tier (:class:`ConfigError`), so the
monotonicity the method promises is checked once, here, not hoped for in every night.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from credit.config import ConfigDoc

#: The four credit-risk tiers, best first (信用风险低/一般/较高/高); the one list every module uses.
TIERS: tuple[str, ...] = ("A", "B", "C", "D")
#: Position of each tier in :data:`TIERS`: a higher rank is a worse tier.
TIER_RANK: dict[str, int] = {t: i for i, t in enumerate(TIERS)}


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
    # bands only: the reason's wording per band (same order as ``bands``; '' = the item's text),
    # e.g. "银行贷款逾期超过90天" for the band from 91 days
    band_texts: tuple[str, ...] = ()

    def text_of_band(self, band: int) -> str:
        return (self.band_texts[band] if band < len(self.band_texts) else "") or self.text


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


def windowed(text: str, windows: dict[str, Any]) -> str:
    """A reason's wording with the grading.yaml windows it names filled in: ``{insured_trend_months}``
    is the number of months the headcount is compared over, as configured (INSURED_DROP's reason said
    较12个月前 whatever the window was; domain.md §7: every grade with its reasons, true ones)."""
    for key, value in windows.items():
        text = text.replace("{" + str(key) + "}", str(value))
    return text


def scheme_of(config: ConfigDoc | Scheme) -> Scheme:
    """Validate a grading config and turn it into a :class:`Scheme` (a Scheme passes through).
    Texts name the windows they depend on as ``{window}`` (:func:`windowed`)."""
    if isinstance(config, Scheme):
        return config
    d = config.data
    windows = dict(d.get("windows") or {})
    th = d["thresholds"]
    thresholds = (float(th["B"]), float(th["C"]), float(th["D"]))
    if not thresholds[0] <= thresholds[1] <= thresholds[2]:
        raise ConfigError("thresholds must satisfy B <= C <= D")
    rules: list[Rule] = []
    for r in d.get("rules", []):
        op = str(r["op"])
        if op not in ("true", ">=", "in"):
            raise ConfigError(f"rule {r['code']}: op {op!r} is not one of true, >=, in")
        if r["floor"] not in TIER_RANK:
            raise ConfigError(f"rule {r['code']}: floor {r['floor']!r} is not a tier")
        rules.append(Rule(r["code"], windowed(r["text"], windows), r["indicator"], op, r["floor"], r.get("value"),
                          windowed(r.get("improve", ""), windows)))
    items: list[Item] = []
    for it in d.get("scorecard", []):
        kind = it["kind"]
        code = it["code"]
        text, improve = windowed(it["text"], windows), windowed(it.get("improve", ""), windows)
        if kind in ("flag", "per_unit"):
            if float(it["points"]) < 0:
                raise ConfigError(f"item {code}: negative points would let an adverse fact improve a tier")
            items.append(Item(code, text, it["indicator"], kind, float(it["points"]),
                              float(it.get("cap", math.inf)), improve=improve))
        elif kind == "bands":
            ordered = sorted((float(b["min"]), float(b["points"]), windowed(str(b.get("text", "")), windows))
                             for b in it["bands"])
            bands = tuple((lo, p) for lo, p, _ in ordered)
            pts = [p for _, p in bands]
            if any(p < 0 for p in pts) or pts != sorted(pts):
                raise ConfigError(f"item {code}: band points must not fall as the value rises")
            texts = tuple(t for _, _, t in ordered) if any(t for _, _, t in ordered) else ()
            items.append(Item(code, text, it["indicator"], kind, bands=bands, improve=improve, band_texts=texts))
        elif kind == "category":
            points = {str(k): float(v) for k, v in it["points"].items()}
            order = [str(x) for x in it.get("order", list(points))]
            seq = [points.get(k, 0.0) for k in order]
            if any(p < 0 for p in seq) or seq != sorted(seq):
                raise ConfigError(f"item {code}: points must not fall along the adverseness order {order}")
            items.append(Item(code, text, it["indicator"], kind, points, improve=improve))
        else:
            raise ConfigError(f"item {code}: kind {kind!r} unknown")
    _check_in_rules(rules, d.get("scorecard", []))
    return Scheme(config.version, d["tiers"], thresholds, tuple(rules), tuple(items), d["no_adverse"], d)


def _check_in_rules(rules: list[Rule], scorecard: list[dict[str, Any]]) -> None:
    """An ``in`` rule on a category indicator must take every value at least as adverse as any it takes.

    The category item's ``order`` (worst last) is the adverseness the monotonicity promise reads:
    a rule taking level C but not D would grade a worse level better (TAX_LEVEL_D takes [D], the
    tail of TAX_GRADE's order).
    """
    orders = {str(it["indicator"]): [str(x) for x in it.get("order", list(it["points"]))]
              for it in scorecard if it.get("kind") == "category"}
    for r in rules:
        order = orders.get(r.indicator)
        if r.op != "in" or order is None:
            continue
        taken = {str(v) for v in r.value}
        first = min((order.index(v) for v in taken if v in order), default=len(order))
        if not set(order[first:]) <= taken:
            raise ConfigError(f"rule {r.code}: takes {sorted(taken)} but not every worse value of {order}")
