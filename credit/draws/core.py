"""The pure part of the draws (双随机、一公开, domain.md §8): keys, strata, inspectors, dates, checks.

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
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

KEY_ENCODING = "sha256-utf8-pipe/1"
FULL_FORMAT = "credit-draw-full/1"
PUBLIC_FORMAT = "credit-draw-public/1"
ENTITY_COLUMNS = ["matter", "uscc", "stratum", "region_code", "section", "prev_inspectors"]
INSPECTOR_COLUMNS = ["inspector_id", "department", "region_code", "fields", "conflicts"]
_FORBIDDEN = ("|", "\n", "\r")


class DrawError(ValueError):
    """A draw input that breaks the rules (bad seed, unsafe identifier, inconsistent record)."""


# -- keys ----------------------------------------------------------------------------------------
def check_token(value: str, what: str) -> str:
    """Refuse a value that would make the ``|``-joined encoding ambiguous."""
    if not value or any(c in value for c in _FORBIDDEN):
        raise DrawError(f"{what} {value!r} is empty or contains '|' or a line break")
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


# -- digests of the frozen pools -----------------------------------------------------------------
def _list_text(values: Sequence[str] | None) -> str:
    return ";".join(sorted(values)) if values is not None and len(values) else ""


def _col(df: pd.DataFrame, c: str) -> list[Any]:
    return df[c].to_numpy(dtype=object).tolist()


def entity_pool_digest(entities: pd.DataFrame) -> str:
    """SHA-256 of the entity pool: one line per row sorted by (matter, uscc),
    ``matter|uscc|stratum|region_code|section|prev1;prev2`` + ``\\n`` (list items sorted)."""
    cols = [_col(entities, c) for c in ENTITY_COLUMNS]
    order = np.lexsort((np.array(cols[1], dtype=str), np.array(cols[0], dtype=str))) if cols[0] else []
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


# -- quiet days and dates ------------------------------------------------------------------------
def parse_days(spec: str | Sequence[int]) -> frozenset[int]:
    """Days of month from ``"1-20"``, ``"1-5,25-28"`` or a list of integers."""
    if not isinstance(spec, str):
        return frozenset(int(x) for x in spec)
    days: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-")
            days.update(range(int(a), int(b) + 1))
        elif part:
            days.add(int(part))
    return frozenset(days)


def quiet_rule(quiet: Mapping[str, Any], region_code: str) -> frozenset[int]:
    """Quiet days of month (企业宁静日, domain.md §9) of the longest matching jurisdiction prefix."""
    best = ""
    for prefix in quiet:
        if region_code.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return parse_days(quiet[best]["days_of_month"]) if best else frozenset()


# Competence levels (执法检查人员的管辖层级), narrowest first: the number of leading digits of a
# GB/T 2260 code that an inspector's code must share with the entity's at that level.
COMPETENCE_LEVELS: dict[str, int] = {"district": 6, "city": 4, "province": 2}


def competence_levels(rules: Mapping[str, Any]) -> tuple[str, ...]:
    """The plan's widening order (``competence`` in config/draws.yaml); ``district`` alone when
    the plan predates the setting, so older records re-derive unchanged."""
    levels = tuple(rules.get("competence") or ("district",))
    widths = [COMPETENCE_LEVELS.get(x) for x in levels]
    if None in widths or widths != sorted(widths, reverse=True) or len(set(levels)) != len(levels):  # type: ignore[type-var]
        raise DrawError(f"competence {list(levels)!r}: levels must be distinct, among "
                        f"{', '.join(COMPETENCE_LEVELS)}, narrowest first")
    return levels


def region_prefix(region_code: str) -> str:
    """The part of a GB/T 2260 code that names its area: 411400 → 4114 (a city covers its counties)."""
    p = region_code
    while p.endswith("00"):
        p = p[:-2]
    return p


# -- the draw ------------------------------------------------------------------------------------
@dataclass
class Assigner:
    """Draws inspectors for inspections, keeping the draw's workloads (执法检查人员随机匹配).

    Rule for one inspection (domain.md §8): the competent inspectors are those active in the
    frozen pool whose area covers the entity's region, of a department of one of the inspection's
    matters (any when a matter names none), with the entity's GB/T 4754 section among their fields
    when a matter requires it; minus any with the entity in their conflicts (回避, 行政处罚法
    art. 43), minus the inspectors of the entity's previous inspection, minus those already
    excluded for it (recused). Fewer than needed left → the pool widens to the next level of the
    plan's ``competence`` list (``city``: also inspectors whose code shares the entity's first 4
    digits; ``province``: the first 2), and the level used is recorded; fewer than needed at the
    widest level → the inspection is unstaffed, never staffed short (art. 42). Otherwise, that many
    times: among the remaining, those whose load in this draw is below (least load among them +
    spread), the lowest inspector key.
    """

    seed: str
    task: str
    rules: Mapping[str, Any]
    inspectors: pd.DataFrame
    _load: list[int] = field(init=False)
    _cache: dict[tuple[str, str, tuple[str, ...], str], np.ndarray] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        ins = self.inspectors.sort_values("inspector_id", kind="stable").reset_index(drop=True)
        self.inspectors = ins
        self.ids: list[str] = ins["inspector_id"].tolist()
        self.index = {x: i for i, x in enumerate(self.ids)}
        self._load = [0] * len(ins)
        self._prefix = np.array([region_prefix(r) for r in ins["region_code"]], dtype=object)
        self._code = ins["region_code"].to_numpy(dtype=object)
        self.levels = competence_levels(self.rules)
        self._dept = ins["department"].to_numpy(dtype=object)
        self._fields = [frozenset(f or ()) for f in ins["fields"]]
        self.conflicts: dict[str, set[int]] = {}
        for i, cs in enumerate(ins["conflicts"]):
            for u in cs or ():
                self.conflicts.setdefault(u, set()).add(i)
        self.per = int(self.rules["inspectors_per_inspection"])
        self.spread = int(self.rules["workload_spread"])

    def competent(self, region_code: str, section: str, matters: tuple[str, ...],
                  level: str = "district") -> np.ndarray:
        """Positions of the inspectors competent for an inspection at one competence level."""
        key = (region_code, section, matters, level)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        ok = np.array([region_code.startswith(p) for p in self._prefix], dtype=bool)
        width = COMPETENCE_LEVELS[level]
        if width < len(region_code):
            area = region_code[:width]
            ok |= np.array([c[:width] == area for c in self._code], dtype=bool)
        specs = [self.rules["matters"][m] for m in matters]
        depts = set()
        if all(s["departments"] for s in specs):
            depts = {d for s in specs for d in s["departments"]}
            ok &= np.array([d in depts for d in self._dept], dtype=bool)
        if any(s["requires_field"] for s in specs):
            ok &= np.array([section in f for f in self._fields], dtype=bool)
        hit = np.flatnonzero(ok)
        self._cache[key] = hit
        return hit

    def pick(self, uscc: str, region_code: str, section: str, matters: tuple[str, ...],
             exclude: Iterable[str], need: int) -> tuple[list[tuple[str, str]], str] | None:
        """``need`` inspectors as (id, key) in drawing order and the competence level they were
        drawn at (the narrowest with enough), loads updated; None if too few even at the widest."""
        # Candidate lists are short (the competent inspectors of one area): plain Python beats
        # numpy's per-call overhead here.
        barred = set(self.conflicts.get(uscc, ()))
        barred.update(self.index[x] for x in exclude if x in self.index)
        for level in self.levels:
            cand = [i for i in self.competent(region_code, section, matters, level).tolist() if i not in barred]
            if len(cand) >= need:
                return self._choose(uscc, cand, need), level
        return None

    def _choose(self, uscc: str, cand: list[int], need: int) -> list[tuple[str, str]]:
        load = self._load
        keys: dict[int, str] = {}
        chosen: list[tuple[str, str]] = []
        for _ in range(need):
            limit = min(load[i] for i in cand) + self.spread
            best, best_key = -1, ""
            for i in cand:
                if load[i] < limit:
                    k = keys.get(i)
                    if k is None:
                        k = keys[i] = inspector_key(self.seed, self.task, uscc, self.ids[i])
                    if best < 0 or k < best_key:
                        best, best_key = i, k
            chosen.append((self.ids[best], best_key))
            load[best] += 1
            cand.remove(best)
        return chosen

    def wider(self, a: str | None, b: str | None) -> str | None:
        """The wider of two competence levels (None when neither is set)."""
        got = [x for x in (a, b) if x is not None]
        return max(got, key=self.levels.index) if got else None

    @property
    def loads(self) -> np.ndarray:
        """Inspections per inspector in this draw, in inspector-id order."""
        return np.array(self._load, dtype=np.int64)

    def release(self, inspector_ids: Iterable[str]) -> None:
        for x in inspector_ids:
            self._load[self.index[x]] -= 1


def schedule_day(entity_key: str, days: Sequence[str], quiet: frozenset[int]) -> str | None:
    """The inspection date: allowed[int(last 16 hex digits of the entity key) mod len(allowed)],
    where allowed = the plan's working days (ISO dates, ascending) not on a quiet day; None if none."""
    allowed = [d for d in days if int(d[8:10]) not in quiet] if quiet else days
    if not allowed:
        return None
    return allowed[int(entity_key[-16:], 16) % len(allowed)]


@dataclass
class DrawState:
    """Everything a draw derives, and the state redraws start from."""

    strata: list[dict[str, Any]]
    inspections: dict[str, dict[str, Any]]   # uscc → current inspection
    selected: dict[tuple[str, str], list[str]]   # (matter, stratum) → uscc in selection order
    closed: set[str]
    assigner: Assigner
    _entities: Any   # a DataFrame, or a function building it (only redraws need it)
    events: list[dict[str, Any]] = field(default_factory=list)
    days: dict[tuple[str, bool], list[str]] = field(default_factory=dict)   # allowed dates per region

    @property
    def entities(self) -> pd.DataFrame:
        """The pool sorted by (matter, stratum, entity key), built on first use."""
        if callable(self._entities):
            self._entities = self._entities()
        return self._entities  # type: ignore[no-any-return]


def _frame(table: Mapping[str, Any] | pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table[columns].copy()
    return pd.DataFrame(table["rows"], columns=table["columns"])[columns]


def _staff(state: DrawState, seed: str, task: str, row: Mapping[str, Any], matters: tuple[str, ...],
           exclude: Iterable[str]) -> dict[str, Any]:
    """Inspectors and a date for one inspection (state, inspectors, keys, scheduled_on, note)."""
    rules = state.assigner.rules
    per = state.assigner.per
    recorded = "competence" in rules   # plans made before the setting record no level
    got = state.assigner.pick(row["uscc"], row["region_code"], row["section"], matters, exclude, per)
    if got is None:
        widest = state.assigner.levels[-1]
        return {"state": "unstaffed", "inspectors": [], "inspector_keys": [], "scheduled_on": None,
                **({"competence": None} if recorded else {}),
                "note": f"fewer than {per} competent inspectors without conflict"
                        + (f" (widest level tried: {widest})" if recorded else "")}
    team, level = got
    specs = [rules["matters"][m] for m in matters]
    applies = any(s["quiet_days_apply"] for s in specs)
    allowed = state.days.get((row["region_code"], applies))
    if allowed is None:
        quiet = quiet_rule(rules["quiet_days"], row["region_code"]) if applies else frozenset()
        allowed = state.days[(row["region_code"], applies)] = [
            d for d in rules["schedule_days"] if int(d[8:10]) not in quiet]
    day = schedule_day(row["entity_key"], allowed, frozenset())
    notes = [] if level == state.assigner.levels[0] else [
        f"inspectors drawn at {level} level: fewer than {per} competent inspectors without conflict "
        f"at {state.assigner.levels[state.assigner.levels.index(level) - 1]} level"]
    if not day:
        notes.append("no working day outside quiet days in the window")
    return {"state": "assigned" if day else "unscheduled",
            "inspectors": [t[0] for t in team], "inspector_keys": [t[1] for t in team],
            "scheduled_on": day, **({"competence": level} if recorded else {}),
            "note": "; ".join(notes) or None}


def derive_draw(draw_id: str, seed: str, rules: Mapping[str, Any],
                entities: Mapping[str, Any] | pd.DataFrame,
                inspectors: Mapping[str, Any] | pd.DataFrame,
                allocation: Sequence[Mapping[str, Any]]) -> DrawState:
    """The whole draw from its frozen inputs: strata selections, then inspectors and dates.

    ``allocation`` is the plan's list of strata ``{matter, stratum, size, sample_size,
    inclusion_probability}``. Entities are selected per (matter, stratum) by lowest key; an
    entity selected under several matters of a joint task (联合抽查) is inspected once, for all
    of them (国发〔2019〕5号 "进一次门、查多项事", domain.md §8). Inspections are staffed in
    ascending entity-key order, so workloads depend only on the record.
    """
    check_token(seed, "seed")
    ent = _frame(entities, ENTITY_COLUMNS)
    ins = _frame(inspectors, INSPECTOR_COLUMNS)
    # Plain numpy object arrays: iterating pandas' Arrow-backed strings is ~10× slower.
    cols = {c: ent[c].to_numpy(dtype=object) for c in ENTITY_COLUMNS}
    codes, uniq = pd.factorize(cols["uscc"])
    hexkeys = np.array(rank_keys(seed, draw_id, uniq.tolist()), dtype=object)
    keys = hexkeys[codes]
    group, groups = pd.factorize(pd.Series(cols["matter"]) + "\x00" + pd.Series(cols["stratum"]))
    # Order by (stratum, key): hex keys as fixed-width bytes sort like the 256-bit numbers.
    order = np.lexsort((np.array(hexkeys, dtype="S64")[codes], group))
    g_sorted = group[order]
    first = np.searchsorted(g_sorted, g_sorted, "left")
    rank = np.arange(len(order)) - first
    k_of = {(a["matter"], a["stratum"]): int(a["sample_size"]) for a in allocation}
    k_group = np.array([k_of.get(tuple(g.split("\x00", 1)), 0) for g in groups], dtype=np.int64)
    take = order[rank < k_group[g_sorted]] if len(order) else order

    def sorted_entities() -> pd.DataFrame:
        df = pd.DataFrame({c: cols[c][order] for c in ENTITY_COLUMNS})
        df["entity_key"] = keys[order]
        return df.sort_values(["matter", "stratum", "entity_key"], kind="stable").reset_index(drop=True)

    strata: list[dict[str, Any]] = []
    selected: dict[tuple[str, str], list[str]] = {}
    last_key: dict[tuple[str, str], str] = {}
    for i in take:   # the k lowest of each stratum, in key order (≈ a few % of the pool)
        t = (cols["matter"][i], cols["stratum"][i])
        selected.setdefault(t, []).append(cols["uscc"][i])
        last_key[t] = keys[i]
    for a in allocation:
        t = (a["matter"], a["stratum"])
        strata.append({**a, "threshold": last_key.get(t) if a["sample_size"] else None})
    # One inspection per entity, with every matter and stratum that drew it (joint task).
    joint: dict[str, dict[str, Any]] = {}
    for i in take:
        u = cols["uscc"][i]
        j = joint.get(u)
        if j is None:
            joint[u] = {"uscc": u, "matters": [cols["matter"][i]], "strata": [cols["stratum"][i]],
                        "entity_key": keys[i], "region_code": cols["region_code"][i],
                        "section": cols["section"][i], "prev_inspectors": cols["prev_inspectors"][i]}
        else:
            j["matters"].append(cols["matter"][i])
            j["strata"].append(cols["stratum"][i])
    state = DrawState(strata, {}, selected, set(), Assigner(seed, draw_id, rules, ins), sorted_entities)
    for row in sorted(joint.values(), key=lambda r: r["entity_key"]):
        pairs = sorted(zip(row["matters"], row["strata"], strict=True))
        matters = tuple(m for m, _ in pairs)
        staffed = _staff(state, seed, draw_id, row, matters, row["prev_inspectors"] or ())
        state.inspections[row["uscc"]] = {
            "uscc": row["uscc"], "version": 0, "event_seq": None, "matters": list(matters),
            "strata": [f"{m}:{s}" for m, s in pairs], "entity_key": row["entity_key"], **staffed}
    return state


# -- redraws (重新抽取) ----------------------------------------------------------------------------
def apply_event(state: DrawState, seed: str, task: str, event: Mapping[str, Any]) -> dict[str, Any]:
    """Apply one redraw to ``state``; returns its outcome (the new inspection versions).

    * ``inspector_recused`` (回避, 行政处罚法 art. 43): the named inspector leaves the inspection;
      one replacement is drawn by the :class:`Assigner` rule, excluding the team, every inspector
      recused from it before, conflicts and the previous inspection's inspectors. No replacement →
      the inspection becomes unstaffed (its remaining inspectors are released).
    * ``entity_closed``: the inspection is cancelled; in each (matter, stratum) that drew it, the
      next entity by key not yet drawn there and not closed takes its place (the stratum's sample
      size is kept), staffed and scheduled by the same rules.
    """
    uscc = event["uscc"]
    cur = state.inspections.get(uscc)
    if cur is None or cur["state"] == "cancelled":
        raise DrawError(f"{uscc} has no open inspection in this draw")
    ent = state.entities
    row = ent.loc[ent["uscc"] == uscc].iloc[0]
    versions: list[dict[str, Any]] = []
    seq = event["seq"]
    if event["kind"] == "inspector_recused":
        who = event["inspector_id"]
        if who not in cur["inspectors"]:
            raise DrawError(f"inspector {who} is not on the inspection of {uscc}")
        recused = set(cur.get("recused", [])) | {who}
        team = [x for x in cur["inspectors"] if x != who]
        keys = [k for x, k in zip(cur["inspectors"], cur["inspector_keys"], strict=True) if x != who]
        state.assigner.release([who])
        exclude = set(team) | recused | set(row["prev_inspectors"] or ())
        add = state.assigner.pick(uscc, row["region_code"], row["section"], tuple(cur["matters"]), exclude, 1)
        new = {**cur, "version": cur["version"] + 1, "event_seq": seq, "recused": sorted(recused)}
        if add is None:
            state.assigner.release(team)
            new.update(state="unstaffed", inspectors=[], inspector_keys=[], scheduled_on=None,
                       note=f"no replacement for recused inspector {who}")
            if "competence" in cur:
                new["competence"] = None
        else:
            (rep_id, rep_key), level = add[0][0], add[1]
            new.update(inspectors=team + [rep_id], inspector_keys=keys + [rep_key],
                       note=f"inspector {who} recused, replaced by {rep_id}"
                            + (f" (drawn at {level} level)" if level != state.assigner.levels[0] else ""))
            if "competence" in cur:
                new["competence"] = state.assigner.wider(cur["competence"], level)
        state.inspections[uscc] = new
        versions.append(new)
    elif event["kind"] == "entity_closed":
        state.assigner.release(cur["inspectors"])
        state.closed.add(uscc)
        gone = {**cur, "version": cur["version"] + 1, "event_seq": seq, "state": "cancelled",
                "inspectors": [], "inspector_keys": [], "scheduled_on": None, "note": "entity closed"}
        state.inspections[uscc] = gone
        versions.append(gone)
        for tag in cur["strata"]:
            matter, stratum = tag.split(":", 1)
            drawn = state.selected.setdefault((matter, stratum), [])
            pool = ent[(ent["matter"] == matter) & (ent["stratum"] == stratum)]
            nxt = pool[~pool["uscc"].isin(set(drawn) | state.closed)]
            if nxt.empty:
                continue
            rep = nxt.iloc[0]   # ent is sorted by key within each stratum
            drawn.append(rep["uscc"])
            old = state.inspections.get(rep["uscc"])
            if old is not None and old["state"] != "cancelled":
                new = {**old, "version": old["version"] + 1, "event_seq": seq,
                       "matters": old["matters"] + [matter], "strata": old["strata"] + [tag],
                       "note": f"also drawn for {matter} in place of {uscc}"}
            else:
                r = rep.to_dict()
                staffed = _staff(state, seed, task, r, (matter,), r["prev_inspectors"] or ())
                new = {"uscc": rep["uscc"], "version": 0 if old is None else old["version"] + 1,
                       "event_seq": seq, "matters": [matter], "strata": [tag],
                       "entity_key": rep["entity_key"], **staffed}
                new["note"] = f"drawn for {matter} in place of {uscc}" + (
                    f"; {staffed['note']}" if staffed["note"] else "")
            state.inspections[rep["uscc"]] = new
            versions.append(new)
    else:
        raise DrawError(f"unknown redraw kind {event['kind']!r}")
    outcome = {"versions": [public_inspection(v) for v in versions]}
    state.events.append({**event, "outcome": outcome})
    return outcome


# -- records -------------------------------------------------------------------------------------
def public_inspection(i: Mapping[str, Any]) -> dict[str, Any]:
    """One inspection as published: no tier except the strata that drew this entity."""
    return {"uscc": i["uscc"], "version": i["version"], "event_seq": i["event_seq"],
            "state": i["state"], "matters": list(i["matters"]), "strata": list(i["strata"]),
            "entity_key": i["entity_key"],
            "inspectors": [{"inspector_id": x, "key": k}
                           for x, k in zip(i["inspectors"], i["inspector_keys"], strict=True)],
            "scheduled_on": i["scheduled_on"],
            # The competence level the team was drawn at (district / city / province); absent
            # from records of plans made before the setting.
            **({"competence": i["competence"]} if "competence" in i else {})}


def canonical_json(doc: Any) -> bytes:
    """The bytes whose SHA-256 identifies a record: sorted keys, UTF-8, no spaces."""
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


@dataclass(frozen=True)
class VerifyResult:
    """``ok``, else the first difference; ``malformed`` when the record could not be read as a
    draw record at all (a missing or mistyped field: nothing was compared)."""

    ok: bool
    first_difference: str | None = None
    malformed: bool = False


class RecordMalformed(DrawError):
    """A record that lacks a field the verifier needs, or has one of the wrong type."""


# What a record must hold to be verified: field → type (None: any value, the key must be there).
_PUBLIC_FIELDS: dict[str, Any] = {"format": str, "draw_id": str, "task": str, "seed": str,
                                  "inspectors_per_inspection": int, "strata": list, "inspections": list}
_FULL_FIELDS: dict[str, Any] = {"entity_pool": dict, "inspector_pool": dict, "entity_pool_digest": str,
                                "inspector_pool_digest": str, "rules": dict}
_STRATUM_FIELDS: dict[str, Any] = {"matter": str, "stratum": str, "sample_size": int, "threshold": None}
_FULL_STRATUM_FIELDS: dict[str, Any] = {"size": int, "inclusion_probability": str}
_INSPECTION_FIELDS: dict[str, Any] = {"uscc": str, "state": str, "strata": list, "entity_key": str,
                                      "inspectors": list}
_INSPECTOR_FIELDS: dict[str, Any] = {"inspector_id": str, "key": str}
_EVENT_FIELDS: dict[str, Any] = {"seq": int, "kind": str, "uscc": str, "outcome": dict}
_TYPE_NAMES = {str: "a string", int: "an integer", list: "a list", dict: "an object"}


def _fields(where: str, doc: Any, spec: Mapping[str, Any]) -> None:
    if not isinstance(doc, dict):
        raise RecordMalformed(f"{where} is not a JSON object")
    for name, kind in spec.items():
        if name not in doc:
            raise RecordMalformed(f"{where} has no field {name!r}")
        value = doc[name]
        if kind is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
            raise RecordMalformed(f"field {name!r} of {where} is not {_TYPE_NAMES[kind]}: {value!r}"[:300])


def check_record_shape(record: Any) -> None:
    """Raise :class:`RecordMalformed` naming the first missing or mistyped field of a record."""
    _fields("the record", record, _PUBLIC_FIELDS)
    fmt = record["format"]
    if fmt not in (PUBLIC_FORMAT, FULL_FORMAT):
        raise RecordMalformed(f"field 'format' of the record is {fmt!r}, not {PUBLIC_FORMAT} or {FULL_FORMAT}")
    full = fmt == FULL_FORMAT
    for n, st in enumerate(record["strata"]):
        _fields(f"strata[{n}]", st, {**_STRATUM_FIELDS, **(_FULL_STRATUM_FIELDS if full else {})})
    for n, i in enumerate(record["inspections"]):
        _fields(f"inspections[{n}]", i, _INSPECTION_FIELDS)
        for m, x in enumerate(i["inspectors"]):
            _fields(f"inspections[{n}].inspectors[{m}]", x, _INSPECTOR_FIELDS)
    if not full:
        return
    _fields("the record", record, _FULL_FIELDS)
    for name, columns in (("entity_pool", ENTITY_COLUMNS), ("inspector_pool", INSPECTOR_COLUMNS)):
        _fields(name, record[name], {"columns": list, "rows": list})
        missing = [c for c in columns if c not in record[name]["columns"]]
        if missing:
            raise RecordMalformed(f"{name} has no column {missing[0]!r}")
        width = len(record[name]["columns"])
        for n, row in enumerate(record[name]["rows"]):
            if not isinstance(row, list) or len(row) != width:
                raise RecordMalformed(f"{name}.rows[{n}] is not a list of {width} values")
    events = record.get("events", [])
    if not isinstance(events, list):
        raise RecordMalformed("field 'events' of the record is not a list")
    for n, ev in enumerate(events):
        _fields(f"events[{n}]", ev, _EVENT_FIELDS)
        if ev["kind"] == "inspector_recused":
            _fields(f"events[{n}]", ev, {"inspector_id": str})


def _check_public(record: Mapping[str, Any]) -> str | None:
    """Checks anyone can run with SHA-256 alone; returns the first difference or None."""
    seed = record.get("seed")
    task = record["task"]
    if not seed:
        return "the record has no seed"
    if any(c in seed for c in _FORBIDDEN):
        return "the seed contains '|' or a line break"
    commitment = record.get("seed_commitment")
    if commitment and seed_commitment(seed) != commitment:
        return f"seed: SHA-256 of the seed is {seed_commitment(seed)}, the plan committed to {commitment}"
    thresholds = {f"{s['matter']}:{s['stratum']}": s for s in record["strata"]}
    counts = {t: 0 for t in thresholds}
    per = int(record["inspectors_per_inspection"])
    for i in record["inspections"]:
        u = i["uscc"]
        key = rank_key(seed, task, u).hex()
        if i["entity_key"] != key:
            return f"{u}: entity key is {key}, the record says {i['entity_key']}"
        for tag in i["strata"]:
            st = thresholds.get(tag)
            if st is None:
                return f"{u}: drawn in unknown stratum {tag}"
            if st["threshold"] is None or key > st["threshold"]:
                return f"{u}: key {key} is above the threshold of stratum {tag} ({st['threshold']})"
            counts[tag] += 1
        ids = [x["inspector_id"] for x in i["inspectors"]]
        level = i.get("competence")
        if level is not None and level not in COMPETENCE_LEVELS:
            return f"{u}: unknown competence level {level!r}"
        if len(set(ids)) != len(ids):
            return f"{u}: the same inspector appears twice"
        if i["state"] in ("assigned", "unscheduled") and len(ids) < per:
            return f"{u}: {len(ids)} inspectors, fewer than the minimum {per} (行政处罚法 art. 42)"
        for x in i["inspectors"]:
            k = inspector_key(seed, task, u, x["inspector_id"])
            if x["key"] != k:
                return f"{u}: inspector {x['inspector_id']} key is {k}, the record says {x['key']}"
    for tag, st in thresholds.items():
        if counts[tag] != int(st["sample_size"]):
            return f"stratum {tag}: {counts[tag]} entities drawn, the plan fixed {st['sample_size']}"
    return None


def first_difference(label: str, published: Any, other: Any, other_name: str = "database") -> str | None:
    """The first path at which two JSON-like values differ, as ``label.key[n]: published …, database …``."""
    return _first_diff(label, published, other, other_name)


def _first_diff(label: str, published: Any, derived: Any, other: str = "derived") -> str | None:
    if published == derived:
        return None
    if isinstance(published, list) and isinstance(derived, list):
        for n, (a, b) in enumerate(zip(published, derived, strict=False)):
            d = _first_diff(f"{label}[{n}]", a, b, other)
            if d:
                return d
        return f"{label}: {len(published)} published, {len(derived)} {other}"
    if isinstance(published, dict) and isinstance(derived, dict):
        for k in sorted(set(published) | set(derived)):
            if (k in published) != (k in derived):
                return f"{label}.{k}: {'only published' if k in published else f'only in the {other} copy'}"
            d = _first_diff(f"{label}.{k}", published.get(k), derived.get(k), other)
            if d:
                return d
    return f"{label}: published {published!r}, {other} {derived!r}"


def verify_record(record: Mapping[str, Any]) -> VerifyResult:
    """Check a draw record: match, or the first difference.

    A public record (``credit-draw-public/1``) is checked selection by selection (seed against
    its commitment, every key recomputed, every key at or below its stratum's threshold, counts
    equal to the published sample sizes, at least the minimum of inspectors). A full record
    (``credit-draw-full/1``) is in addition re-derived from its frozen pools: pool digests, sample
    sizes, thresholds, every inspection and every redraw must come out identical.
    """
    try:
        check_record_shape(record)
    except RecordMalformed as e:
        return VerifyResult(False, f"the record is malformed: {e}", malformed=True)
    try:
        diff = _check_public(record)
        if diff or record.get("format") != FULL_FORMAT:
            return VerifyResult(diff is None, diff)
        ent = _frame(record["entity_pool"], ENTITY_COLUMNS)
        ins = _frame(record["inspector_pool"], INSPECTOR_COLUMNS)
        for label, got, want in (("entity pool digest", entity_pool_digest(ent), record["entity_pool_digest"]),
                                 ("inspector pool digest", inspector_pool_digest(ins),
                                  record["inspector_pool_digest"])):
            if got != want:
                return VerifyResult(False, f"{label}: the pool hashes to {got}, the plan published {want}")
        rules = record["rules"]
        sizes = ent.groupby(["matter", "stratum"]).size()
        allocation = plan_strata(rules, {(str(m), str(s)): int(n) for (m, s), n in sizes.items()})
        planned = [{k: s[k] for k in ("matter", "stratum", "size", "sample_size", "inclusion_probability")}
                   for s in record["strata"]]
        diff = _first_diff("strata", planned, allocation)
        if diff:
            return VerifyResult(False, diff)
        state = derive_draw(record["task"], record["seed"], rules, ent, ins, allocation)
        diff = _first_diff("strata", record["strata"], state.strata)
        if diff:
            return VerifyResult(False, diff)
        derived = [public_inspection(i) for i in sorted(state.inspections.values(), key=lambda i: i["entity_key"])]
        diff = _first_diff("inspections", record["inspections"], derived)
        if diff:
            return VerifyResult(False, diff)
        for ev in record.get("events", []):
            outcome = apply_event(state, record["seed"], record["task"], ev)
            diff = _first_diff(f"event {ev['seq']}", ev["outcome"], outcome)
            if diff:
                return VerifyResult(False, diff)
        return VerifyResult(True, None)
    except KeyError as e:
        return VerifyResult(False, f"the record is malformed: no field {e.args[0]!r} where the verifier needs one",
                            malformed=True)
    except DrawError as e:   # a seed or redraw the rules refuse: a difference, not a malformed file
        return VerifyResult(False, str(e))
    except (TypeError, ValueError) as e:
        return VerifyResult(False, f"the record is malformed: {e}", malformed=True)


def plan_strata(rules: Mapping[str, Any], sizes: Mapping[tuple[str, str], int]) -> list[dict[str, Any]]:
    """Per (matter, stratum): size, sample size and inclusion probability (published at plan time).

    Strata are the tiers A–D inside each matter's pool; the ratio is the matter's own
    ``tier_ratios`` if it has one, else the file's (domain.md §7); the matter's min/max counts bound
    the matter's total (:func:`allocate`). Probability = sample size / size, as a decimal string.
    """
    out: list[dict[str, Any]] = []
    for matter in sorted(rules["matters"]):
        spec = rules["matters"][matter]
        ratios = spec.get("tier_ratios") or rules["tier_ratios"]
        msizes = {s: n for (m, s), n in sizes.items() if m == matter}
        ks = allocate(msizes, ratios, spec.get("min_count"), spec.get("max_count"))
        for s in sorted(msizes):
            n = msizes[s]
            out.append({"matter": matter, "stratum": s, "size": n, "sample_size": ks[s],
                        "inclusion_probability": f"{Decimal(ks[s]) / Decimal(n):.6f}" if n else "0"})
    return out


def iso(d: date | str | None) -> str | None:
    return d.isoformat() if isinstance(d, date) else d
