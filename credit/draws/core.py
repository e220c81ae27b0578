"""The keys and strata of the draws (双随机、一公开, domain.md §8): who is drawn, and how many per stratum.

Nothing here touches the database, the clock or a library whose output could change between
versions: every random choice is a comparison of SHA-256 digests of documented byte strings, so a
citizen with ``sha256sum`` can check a published selection and an auditor with the full record can
re-derive the whole draw (see ``docs/draws.md``).

Byte encoding (version ``sha256-utf8-pipe/1``):

* entity key ``rank_key(seed, task, uscc)`` = SHA-256 of the UTF-8 bytes of
  ``seed + "|" + task + "|" + uscc`` (no trailing newline), as 64 lower-case hex digits;
  ``printf '%s' 'SEED|TASK|USCC' | sha256sum`` prints it.
* inspector key = SHA-256 of ``seed|task|uscc|inspector_id`` (same rules).
* seed commitment = SHA-256 of the UTF-8 bytes of ``seed``.
* None of seed, task, USCC or inspector id may contain ``|`` or a line break, so the encoding is
  injective (a different tuple never yields the same bytes).
* Order: keys compare as hex strings (= as unsigned 256-bit big-endian numbers).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict, cast

import numpy as np
import pandas as pd

KEY_ENCODING = "sha256-utf8-pipe/1"
ENTITY_COLUMNS = ["matter", "uscc", "stratum", "region_code", "section", "prev_inspectors"]
INSPECTOR_COLUMNS = ["inspector_id", "department", "region_code", "fields", "conflicts"]
# Characters that would make the ``|``-joined encoding ambiguous.
FORBIDDEN_CHARS = ("|", "\n", "\r")


class DrawError(ValueError):
    """A draw input that breaks the rules (bad seed, unsafe identifier, inconsistent record)."""


class DrawRefused(Exception):
    """A draw command refused with a reason for the clerk (CLI exit 2)."""


class PlannedStratum(TypedDict):
    """One (matter, stratum) as the plan publishes it (never an entity's tier)."""

    matter: str
    stratum: str
    size: int
    sample_size: int
    inclusion_probability: str


class DrawnStratum(PlannedStratum):
    """A planned stratum once drawn: ``threshold`` is the key of its last selected entity."""

    threshold: str | None


# -- keys ----------------------------------------------------------------------------------------
WHAT = {"seed": "随机种子"}
"""The Chinese name of a value ``check_token`` refuses, where it has one."""


def check_token(value: str, what: str) -> str:
    """Refuse a value that would make the ``|``-joined encoding ambiguous."""
    if not value or any(c in value for c in FORBIDDEN_CHARS):
        raise DrawError(f"{WHAT.get(what, what)}为空或含有“|”或换行 ({what} {value!r} is empty or contains '|' or a line break)")
    return value


def seed_commitment(seed: str) -> str:
    """SHA-256 of the seed (hex): published with the plan, before the seed itself (承诺)."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def rank_key(seed: str, task: str, uscc: str) -> bytes:
    """SHA-256(seed|task|uscc) as 32 raw bytes; the entity's place in its stratum (lowest first)."""
    return hashlib.sha256(f"{seed}|{task}|{uscc}".encode()).digest()


def inspector_key(seed: str, task: str, uscc: str, inspector_id: str) -> str:
    """SHA-256(seed|task|uscc|inspector_id) as hex: an inspector's place among those competent."""
    return hashlib.sha256(f"{seed}|{task}|{uscc}|{inspector_id}".encode()).hexdigest()


def rank_keys(seed: str, task: str, usccs: Iterable[str]) -> list[str]:
    """Hex :func:`rank_key` of many USCCs; the common prefix is hashed once (≈1 s per million)."""
    base = hashlib.sha256(f"{seed}|{task}|".encode())
    out: list[str] = []
    append = out.append
    for u in usccs:
        h = base.copy()
        h.update(u.encode())
        append(h.hexdigest())
    return out


# -- strata and sample sizes ---------------------------------------------------------------------
@dataclass(frozen=True)
class StratumSelection:
    """The k lowest keys of one stratum; ``threshold`` is the k-th key (None when k = 0)."""

    selected: tuple[str, ...]
    keys: tuple[str, ...]
    threshold: str | None


def select_stratum(seed: str, task: str, usccs: Sequence[str], k: int) -> StratumSelection:
    """Simple random sample without replacement of size k: the k USCCs with the lowest keys.

    Every subset of size k is equally likely when SHA-256 behaves as a random function, and the
    selection is exactly "key ≤ threshold", which anyone can check one entity at a time.
    """
    if k < 0 or k > len(usccs):
        raise DrawError(f"cannot draw {k} of {len(usccs)}")
    keys = rank_keys(seed, task, usccs)
    order = sorted(range(len(usccs)), key=keys.__getitem__)[:k]
    sel = tuple(usccs[i] for i in order)
    ks = tuple(keys[i] for i in order)
    return StratumSelection(sel, ks, ks[-1] if ks else None)


def check_ratios(ratios: Any, where: str, tiers: Sequence[str]) -> None:
    """A sampling ratio for every tier, each a number from 0 to 1 (domain.md §7: low for A, much
    higher for D); anything else is refused before a plan publishes it (a negative ratio published
    a sample size of -1; a missing tier ended in a traceback)."""
    if not isinstance(ratios, Mapping):
        raise DrawError(f"{where}: a ratio per tier {', '.join(tiers)} (e.g. {{A: 0.01, …}})")
    missing = [t for t in tiers if t not in ratios]
    if missing:
        raise DrawError(f"{where}: no ratio for tier {', '.join(missing)}")
    for t in tiers:
        r = ratios[t]
        try:
            ok = not isinstance(r, bool) and Decimal(str(r)).is_finite() and 0 <= Decimal(str(r)) <= 1
        except ArithmeticError:
            ok = False
        if not ok:
            raise DrawError(f"{where}: tier {t}: {r!r} is not a ratio from 0 to 1")


def sample_size(ratio: float | str | Decimal, size: int) -> int:
    """ceil(ratio × size) in exact decimal arithmetic (0.01 × 300 is 3, not 4), capped at size."""
    return min(size, math.ceil(Decimal(str(ratio)) * size))


def allocate(sizes: Mapping[str, int], ratios: Mapping[str, float | str],
             min_count: int | None = None, max_count: int | None = None) -> dict[str, int]:
    """Sample size per stratum: ceil(ratio × size), then the task's min/max counts.

    When the sum falls outside [min_count, max_count], the bound is shared out in proportion to
    ratio × size (largest remainder; ties by stratum name), never beyond a stratum's size.
    """
    base = {s: sample_size(ratios[s], n) for s, n in sizes.items()}
    total_n = sum(sizes.values())
    target = sum(base.values())
    if min_count is not None and target < min_count:
        target = min(min_count, total_n)
    if max_count is not None and target > max_count:
        target = max_count
    if target == sum(base.values()):
        return base
    weights = {s: Decimal(str(ratios[s])) * n for s, n in sizes.items() if n > 0}
    if sum(weights.values()) == 0:
        weights = {s: Decimal(n) for s, n in sizes.items() if n > 0}
    fixed: dict[str, int] = {}
    free = {s for s, w in weights.items() if w > 0}
    while True:
        rest = target - sum(fixed.values())
        wsum = sum(weights[s] for s in free)
        quota = {s: rest * weights[s] / wsum for s in free} if wsum else {}
        full = [s for s in free if quota[s] >= sizes[s]]
        if not full:
            break
        for s in full:
            fixed[s] = sizes[s]
            free.discard(s)
    out = {s: 0 for s in sizes}
    out.update(fixed)
    floors = {s: int(quota[s]) for s in free}
    out.update(floors)
    left = target - sum(out.values())
    by_remainder = sorted(free, key=lambda s: (-(quota[s] - floors[s]), s))
    for s in by_remainder[:left]:
        out[s] += 1
    return out


def floored(sizes: Mapping[str, int], ratios: Mapping[str, float | str], min_ratio: float | str,
            min_count: int | None = None, max_count: int | None = None,
            jurisdiction: int | None = None) -> dict[str, int]:
    """Sample size per stratum for a matter with a floor ratio (企业公示信息抽查办法 art. 4: not below
    3 % of the enterprises in the jurisdiction, domain.md §7): each stratum's ceil(ratio × size),
    then the seats missing to reach max(ceil(min_ratio × jurisdiction), min_count) — never more
    than the pool — added in proportion to ratio × size (largest remainder, ties by stratum name;
    never beyond a stratum's size), so no tier falls below its own ratio's share; ``max_count``
    then bounds the total as in :func:`allocate`. ``jurisdiction`` is the number of the matter's
    entities in the plan's area before the pool's exclusions (None: the pool, as plans made before
    it was counted)."""
    base = {s: sample_size(ratios[s], n) for s, n in sizes.items()}
    total_n = sum(sizes.values())
    whole = total_n if jurisdiction is None else int(jurisdiction)
    target = min(total_n, max(math.ceil(Decimal(str(min_ratio)) * whole), int(min_count or 0)))
    if max_count is not None and max(target, sum(base.values())) > max_count:
        return allocate(sizes, ratios, None, max_count)
    seats = target - sum(base.values())
    out = dict(base)
    room = {s: sizes[s] - base[s] for s in sizes}
    weights = {s: Decimal(str(ratios[s])) * sizes[s] for s in sizes}
    free = {s for s in sizes if room[s] > 0}
    if free and not any(weights[s] for s in free):
        weights = {s: Decimal(room[s]) for s in sizes}
    free = {s for s in free if weights[s] > 0}
    while seats > 0 and free:
        wsum = sum(weights[s] for s in free)
        quota = {s: seats * weights[s] / wsum for s in free}
        full = [s for s in free if quota[s] >= room[s]]
        if full:
            for s in full:
                out[s] += room[s]
                seats -= room[s]
                room[s] = 0
                free.discard(s)
            continue
        floors = {s: int(quota[s]) for s in free}
        left = seats - sum(floors.values())
        for s in free:
            out[s] += floors[s]
        for s in sorted(free, key=lambda s: (-(quota[s] - floors[s]), s))[:left]:
            out[s] += 1
        seats = 0
    return out


def stratum_sizes(entities: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Entities per (matter, stratum) of an entity pool."""
    out: dict[tuple[str, str], int] = {}
    for key, n in entities.groupby(["matter", "stratum"]).size().items():
        matter, stratum = cast("tuple[object, object]", key)   # grouped by two columns: a pair
        out[(str(matter), str(stratum))] = int(n)
    return out


def plan_strata(rules: Mapping[str, Any], sizes: Mapping[tuple[str, str], int]) -> list[PlannedStratum]:
    """Per (matter, stratum): size, sample size and inclusion probability (published at plan time).

    Strata are the tiers A–D inside each matter's pool; the ratio is the matter's own
    ``tier_ratios`` if it has one, else the file's (domain.md §7); the matter's min/max counts bound
    the matter's total (:func:`allocate`), and its ``min_ratio`` (企业公示信息抽查办法 art. 4: not
    below 3 % of the enterprises in the jurisdiction) raises the minimum to ceil(min_ratio × the
    matter's ``jurisdiction`` count), frozen with the plan; a plan frozen before it was counted
    takes the matter's pool. Probability = sample size / size, as a decimal string.
    """
    out: list[PlannedStratum] = []
    for matter in sorted(rules["matters"]):
        spec = rules["matters"][matter]
        ratios = spec.get("tier_ratios") or rules["tier_ratios"]
        msizes = {s: n for (m, s), n in sizes.items() if m == matter}
        if spec.get("min_ratio") is not None:   # a floor on the matter's total (domain.md §7: art. 4, 3 %)
            ks = floored(msizes, ratios, spec["min_ratio"], spec.get("min_count"), spec.get("max_count"),
                         spec.get("jurisdiction"))
        else:
            ks = allocate(msizes, ratios, spec.get("min_count"), spec.get("max_count"))
        for s in sorted(msizes):
            n = msizes[s]
            out.append({"matter": matter, "stratum": s, "size": n, "sample_size": ks[s],
                        "inclusion_probability": f"{Decimal(ks[s]) / Decimal(n):.6f}" if n else "0"})
    return out


# -- digests of the frozen pools -----------------------------------------------------------------
def _list_text(values: Sequence[str] | None) -> str:
    return ";".join(sorted(values)) if values is not None and len(values) else ""


def _col(df: pd.DataFrame, c: str) -> list[Any]:
    return df[c].to_numpy(dtype=object).tolist()


def entity_pool_digest(entities: pd.DataFrame) -> str:
    """SHA-256 of the entity pool: one line per row sorted by (matter, uscc),
    ``matter|uscc|stratum|region_code|section|prev1;prev2`` + ``\\n`` (list items sorted)."""
    cols = [_col(entities, c) for c in ENTITY_COLUMNS]
    order = (np.lexsort((np.array(cols[1], dtype=str), np.array(cols[0], dtype=str))) if cols[0]
             else np.array([], dtype=np.intp))
    rows = (tuple(c[i] for c in cols) for i in order)
    h = hashlib.sha256()
    h.update("".join(f"{m}|{u}|{s}|{r}|{sec}|{_list_text(p)}\n" for m, u, s, r, sec, p in rows).encode())
    return h.hexdigest()


def inspector_pool_digest(inspectors: pd.DataFrame) -> str:
    """SHA-256 of the inspector pool: one line per inspector sorted by id,
    ``inspector_id|department|region_code|fields|conflicts`` + ``\\n`` (lists ';'-joined, sorted)."""
    rows = sorted(zip(_col(inspectors, "inspector_id"), _col(inspectors, "department"),
                      _col(inspectors, "region_code"), _col(inspectors, "fields"),
                      _col(inspectors, "conflicts"), strict=True))
    h = hashlib.sha256()
    h.update("".join(f"{i}|{d}|{r}|{_list_text(f)}|{_list_text(c)}\n" for i, d, r, f, c in rows).encode())
    return h.hexdigest()



def pool_frame(table: Mapping[str, Any] | pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A frozen pool as a frame with ``columns``, from a frame or a record's ``{columns, rows}`` table."""
    if isinstance(table, pd.DataFrame):
        return table[columns].copy()
    return pd.DataFrame(table["rows"], columns=table["columns"])[columns]
