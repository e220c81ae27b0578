"""The draw itself and its redraws (重新抽取), derived from the frozen inputs alone (domain.md §8).

Given the seed, the rules and the two frozen pools, :func:`derive_draw` yields every selection,
team and date; :func:`apply_event` replays one redraw on top. The database and the verifier both
call these, so what is stored and what an auditor re-derives are one computation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

import numpy as np
import pandas as pd

from credit.draws.core import (
    ENTITY_COLUMNS,
    INSPECTOR_COLUMNS,
    DrawError,
    DrawnStratum,
    PlannedStratum,
    check_token,
    pool_frame,
    rank_keys,
)
from credit.draws.dates import quiet_rule, schedule_day
from credit.draws.inspectors import Assigner
from credit.draws.records import Inspection, RedrawOutcome, public_inspection


class Staffing(TypedDict):
    """The team and the date of one inspection (or why it has none)."""

    state: str
    inspectors: list[str]
    inspector_keys: list[str]
    scheduled_on: str | None
    competence: NotRequired[str | None]
    note: str | None


@dataclass
class DrawState:
    """Everything a draw derives, and the state redraws start from."""

    strata: list[DrawnStratum]
    inspections: dict[str, Inspection]   # uscc → current inspection
    selected: dict[tuple[str, str], list[str]]   # (matter, stratum) → uscc in selection order
    closed: set[str]
    assigner: Assigner
    # The sorted pool, or a function building it: only redraws need it.
    _entities: pd.DataFrame | Callable[[], pd.DataFrame]
    events: list[dict[str, Any]] = field(default_factory=list)
    days: dict[tuple[str, bool], list[str]] = field(default_factory=dict)   # allowed dates per region

    @property
    def entities(self) -> pd.DataFrame:
        """The pool sorted by (matter, stratum, entity key), built on first use."""
        if not isinstance(self._entities, pd.DataFrame):
            self._entities = self._entities()
        return self._entities


def allowed_days(state: DrawState, region_code: str, matters: Iterable[str]) -> list[str]:
    """The plan's working days an inspection of ``matters`` in ``region_code`` may be on: minus the
    region's quiet days (企业宁静日, domain.md §9) unless every matter is exempt from them."""
    rules = state.assigner.rules
    applies = any(rules["matters"][m]["quiet_days_apply"] for m in matters)
    allowed = state.days.get((region_code, applies))
    if allowed is None:
        quiet = quiet_rule(rules["quiet_days"], region_code) if applies else frozenset()
        allowed = state.days[(region_code, applies)] = [
            d for d in rules["schedule_days"] if int(d[8:10]) not in quiet]
    return allowed


def staff(state: DrawState, seed: str, task: str, row: Mapping[str, Any], matters: tuple[str, ...],
          exclude: Iterable[str]) -> Staffing:
    """Inspectors and a date for one inspection (state, inspectors, keys, scheduled_on, note)."""
    rules = state.assigner.rules
    per = state.assigner.per
    recorded = "competence" in rules   # plans made before the setting record no level
    got = state.assigner.pick(row["uscc"], row["region_code"], row["section"], matters, exclude, per)
    if got is None:
        widest = state.assigner.levels[-1]
        unstaffed: Staffing = {
            "state": "unstaffed", "inspectors": [], "inspector_keys": [], "scheduled_on": None,
            "note": f"fewer than {per} competent inspectors without conflict"
                    + (f" (widest level tried: {widest})" if recorded else "")}
        if recorded:
            unstaffed["competence"] = None
        return unstaffed
    team, level = got
    day = schedule_day(row["entity_key"], allowed_days(state, row["region_code"], matters), frozenset())
    notes = [] if level == state.assigner.levels[0] else [
        f"inspectors drawn at {level} level: fewer than {per} competent inspectors without conflict "
        f"at {state.assigner.levels[state.assigner.levels.index(level) - 1]} level"]
    if not day:
        notes.append("no working day outside quiet days in the window")
    staffed: Staffing = {"state": "assigned" if day else "unscheduled",
                         "inspectors": [t[0] for t in team], "inspector_keys": [t[1] for t in team],
                         "scheduled_on": day, "note": "; ".join(notes) or None}
    if recorded:
        staffed["competence"] = level
    return staffed


def staffed_inspection(uscc: str, version: int, event_seq: int | None, matters: list[str], strata: list[str],
                       entity_key: str, staffed: Staffing) -> Inspection:
    """A new inspection version with its team and date."""
    out: Inspection = {"uscc": uscc, "version": version, "event_seq": event_seq, "matters": matters,
                       "strata": strata, "entity_key": entity_key, "state": staffed["state"],
                       "inspectors": staffed["inspectors"], "inspector_keys": staffed["inspector_keys"],
                       "scheduled_on": staffed["scheduled_on"], "note": staffed["note"]}
    if "competence" in staffed:
        out["competence"] = staffed["competence"]
    return out


def derive_draw(draw_id: str, seed: str, rules: Mapping[str, Any],
                entities: Mapping[str, Any] | pd.DataFrame,
                inspectors: Mapping[str, Any] | pd.DataFrame,
                allocation: Sequence[PlannedStratum]) -> DrawState:
    """The whole draw from its frozen inputs: strata selections, then inspectors and dates.

    ``allocation`` is the plan's list of strata ``{matter, stratum, size, sample_size,
    inclusion_probability}``. Entities are selected per (matter, stratum) by lowest key; an
    entity selected under several matters of a joint task (联合抽查) is inspected once, for all
    of them (国发〔2019〕5号 "进一次门、查多项事", domain.md §8). Inspections are staffed in
    ascending entity-key order, so workloads depend only on the record.
    """
    check_token(seed, "seed")
    ent = pool_frame(entities, ENTITY_COLUMNS)
    ins = pool_frame(inspectors, INSPECTOR_COLUMNS)
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

    strata: list[DrawnStratum] = []
    selected: dict[tuple[str, str], list[str]] = {}
    last_key: dict[tuple[str, str], str] = {}
    for i in take:   # the k lowest of each stratum, in key order (≈ a few % of the pool)
        t = (cols["matter"][i], cols["stratum"][i])
        selected.setdefault(t, []).append(cols["uscc"][i])
        last_key[t] = keys[i]
    for a in allocation:
        t = (a["matter"], a["stratum"])
        strata.append({"matter": a["matter"], "stratum": a["stratum"], "size": a["size"],
                       "sample_size": a["sample_size"], "inclusion_probability": a["inclusion_probability"],
                       "threshold": last_key.get(t) if a["sample_size"] else None})
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
        staffed = staff(state, seed, draw_id, row, matters, row["prev_inspectors"] or ())
        state.inspections[row["uscc"]] = staffed_inspection(
            row["uscc"], 0, None, list(matters), [f"{m}:{s}" for m, s in pairs], row["entity_key"], staffed)
    return state


# -- redraws (重新抽取) ----------------------------------------------------------------------------
def join_team(state: DrawState, row: Mapping[str, Any], old: Inspection, new: Inspection, matter: str) -> None:
    """A matter joins a staffed inspection (an entity-closed replacement already drawn for another
    matter): under ``joint_team: each_matter`` its team gets an inspector competent for the matter
    when none on it is (domain.md §8: drawn among those competent for the matter), by the
    :class:`Assigner` rule; none to be had → the inspection is unstaffed, never inspected for a
    matter by no one competent for it. A visit dated on a quiet day of the region that now binds it
    (the joining matter is not exempt, domain.md §9) gets the date rule's day among its allowed days."""
    team = list(old["inspectors"])
    exclude = set(team) | set(old.get("recused", [])) | set(row["prev_inspectors"] or ())
    add = state.assigner.pick(row["uscc"], row["region_code"], row["section"], tuple(sorted(new["matters"])),
                              exclude, 0, team=team)
    if add is None:
        state.assigner.release(team)
        new["state"], new["inspectors"], new["inspector_keys"], new["scheduled_on"] = "unstaffed", [], [], None
        new["note"] = f"{new['note']}; no inspector competent for {matter} without conflict"
        if "competence" in old:
            new["competence"] = None
        return
    reps, level = add
    allowed = allowed_days(state, str(row["region_code"]), new["matters"])
    if new["scheduled_on"] is not None and new["scheduled_on"] not in allowed:
        # the joining matter's quiet days bind the visit (domain.md §9): the date rule on its days
        day = schedule_day(str(new["entity_key"]), allowed, frozenset())
        new["state"], new["scheduled_on"] = ("assigned" if day else "unscheduled"), day
        new["note"] = f"{new['note']}; rescheduled off the quiet days" + ("" if day else
                                                                          ": no working day outside them")
    if reps:
        new["inspectors"] = team + [x for x, _ in reps]
        new["inspector_keys"] = list(old["inspector_keys"]) + [k for _, k in reps]
        new["note"] = f"{new['note']}; {', '.join(x for x, _ in reps)} drawn for {matter}"
        if "competence" in old:
            new["competence"] = state.assigner.wider(old.get("competence"), level)


def _candidates(state: DrawState, matter: str, stratum: str, closing: str) -> pd.DataFrame:
    """The entities of a (matter, stratum) that could replace ``closing``, in key order: not drawn
    there yet and not closed."""
    ent = state.entities
    pool = ent[(ent["matter"] == matter) & (ent["stratum"] == stratum)]
    gone = set(state.selected.get((matter, stratum), [])) | state.closed | {closing}
    return pool[~pool["uscc"].isin(gone)]


def passed_over(state: DrawState, uscc: str, held: Iterable[str]) -> list[str]:
    """The entities an ``entity_closed`` redraw of ``uscc`` skips, in key order: in each (matter,
    stratum) that drew it, those of ``held`` (entities another live draw holds, domain.md §8:
    国办发〔2024〕54号 bans inspecting one enterprise twice) that come before the first candidate
    not held. Recorded on the event, so that :func:`apply_event` re-derives the replacement from
    the record alone, without the store."""
    cur = state.inspections.get(uscc)
    if cur is None:
        return []
    held = set(held)
    out: list[str] = []
    for tag in cur["strata"]:
        matter, stratum = tag.split(":", 1)
        for u in _candidates(state, matter, stratum, uscc)["uscc"]:
            if u not in held:
                break
            if u not in out:
                out.append(str(u))
    return out


def apply_event(state: DrawState, seed: str, task: str, event: Mapping[str, Any]) -> RedrawOutcome:
    """Apply one redraw to ``state``; returns its outcome (the new inspection versions).

    * ``inspector_recused`` (回避, 行政处罚法 art. 43): the named inspector leaves the inspection;
      one replacement is drawn by the :class:`Assigner` rule, excluding the team, every inspector
      recused from it before, conflicts and the previous inspection's inspectors. No replacement →
      the inspection becomes unstaffed (its remaining inspectors are released).
    * ``entity_closed``: the inspection is cancelled; in each (matter, stratum) that drew it, the
      next entity by key not yet drawn there, not closed and not among the event's ``skipped``
      (held by another live draw when the redraw was made: :func:`passed_over`; absent from events
      recorded before that rule, which re-derive as they were) takes its place (the stratum's
      sample size is kept), staffed and scheduled by the same rules.
    """
    uscc = event["uscc"]
    cur = state.inspections.get(uscc)
    if cur is None or cur["state"] == "cancelled":
        raise DrawError(f"{uscc} 在本次抽查中已没有待进行的检查 ({uscc} has no open inspection in this draw)")
    ent = state.entities
    row = ent.loc[ent["uscc"] == uscc].iloc[0]
    versions: list[Inspection] = []
    seq = event["seq"]
    if event["kind"] == "inspector_recused":
        who = event["inspector_id"]
        if who not in cur["inspectors"]:
            raise DrawError(f"检查人员 {who} 不在 {uscc} 的检查组中 (inspector {who} is not on the inspection of {uscc})")
        recused = set(cur.get("recused", [])) | {who}
        team = [x for x in cur["inspectors"] if x != who]
        keys = [k for x, k in zip(cur["inspectors"], cur["inspector_keys"], strict=True) if x != who]
        state.assigner.release([who])
        exclude = set(team) | recused | set(row["prev_inspectors"] or ())
        add = state.assigner.pick(uscc, row["region_code"], row["section"], tuple(cur["matters"]), exclude, 1,
                                  team=team)
        new: Inspection = {**cur, "version": cur["version"] + 1, "event_seq": seq, "recused": sorted(recused)}
        if add is None:
            state.assigner.release(team)
            new["state"] = "unstaffed"
            new["inspectors"], new["inspector_keys"], new["scheduled_on"] = [], [], None
            new["note"] = f"no replacement for recused inspector {who}"
            if "competence" in cur:
                new["competence"] = None
        else:
            reps, level = add
            rep_id = ", ".join(x for x, _ in reps)
            new["inspectors"], new["inspector_keys"] = team + [x for x, _ in reps], keys + [k for _, k in reps]
            new["note"] = (f"inspector {who} recused, replaced by {rep_id}"
                           + (f" (drawn at {level} level)" if level != state.assigner.levels[0] else ""))
            if "competence" in cur:
                new["competence"] = state.assigner.wider(cur["competence"], level)
        state.inspections[uscc] = new
        versions.append(new)
    elif event["kind"] == "entity_closed":
        state.assigner.release(cur["inspectors"])
        state.closed.add(uscc)
        gone: Inspection = {**cur, "version": cur["version"] + 1, "event_seq": seq, "state": "cancelled",
                "inspectors": [], "inspector_keys": [], "scheduled_on": None, "note": "entity closed"}
        state.inspections[uscc] = gone
        versions.append(gone)
        skipped = set(event.get("skipped") or ())
        for tag in cur["strata"]:
            matter, stratum = tag.split(":", 1)
            drawn = state.selected.setdefault((matter, stratum), [])
            nxt = _candidates(state, matter, stratum, uscc)
            nxt = nxt[~nxt["uscc"].isin(skipped)]
            if nxt.empty:
                continue
            rep = nxt.iloc[0]   # ent is sorted by key within each stratum
            drawn.append(rep["uscc"])
            old = state.inspections.get(rep["uscc"])
            r = {str(k): v for k, v in rep.to_dict().items()}
            if old is not None and old["state"] != "cancelled":
                new = {**old, "version": old["version"] + 1, "event_seq": seq,
                       "matters": old["matters"] + [matter], "strata": old["strata"] + [tag],
                       "note": f"also drawn for {matter} in place of {uscc}"}
                if old["inspectors"] and state.assigner.joint_team == "each_matter":
                    join_team(state, r, old, new, matter)
            else:
                staffed = staff(state, seed, task, r, (matter,), r["prev_inspectors"] or ())
                new = staffed_inspection(rep["uscc"], 0 if old is None else old["version"] + 1, seq, [matter], [tag],
                                         rep["entity_key"], staffed)
                new["note"] = f"drawn for {matter} in place of {uscc}" + (
                    f"; {staffed['note']}" if staffed["note"] else "")
            state.inspections[rep["uscc"]] = new
            versions.append(new)
    else:
        raise DrawError(f"unknown redraw kind {event['kind']!r}")
    outcome: RedrawOutcome = {"versions": [public_inspection(v) for v in versions]}
    state.events.append({**event, "outcome": outcome})
    return outcome
