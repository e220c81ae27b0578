"""Grades as read: an entity's tier on a date, with its reasons and what would improve it."""

from __future__ import annotations

from datetime import date
from typing import Any, NotRequired, TypedDict

from sqlalchemy import Connection

from credit import sqlfiles
from credit.config import load_config
from credit.draws.read import RESULT_LABELS
from credit.grading.score import Improvement, to_improve
from credit.penalties.read import PenaltyView, penalties_of, repair_available
from credit.rosters.env import heavier_measures_of
from credit.rosters.known import KnownAt, NoNightPublished, known_at
from credit.settings import Settings


class ReasonShown(TypedDict):
    """One reason of a grade as shown to the bureau (the stored reason without its ``kind``)."""

    code: str
    text: str
    value: bool | float | str | None
    contribution: float | None     # risk points; None for a rule
    floor: NotRequired[str]        # rules only: the tier the rule imposes at least


class GradeAnswer(TypedDict):
    """An entity's grade as :func:`grade_of` answers it (the API and ``credit grading show``)."""

    grade: str
    label: str
    local_label: str
    score: float
    night: str
    config_version: str
    rosters_version: str           # the rosters.yaml the advice read (see grade_of)
    reasons: list[ReasonShown]
    to_improve: list[Improvement]


def _shown(reason: dict[str, Any]) -> ReasonShown:
    # Every stored reason has a code and a text (:func:`credit.grading.score.grade` writes them).
    shown: ReasonShown = {"code": reason["code"], "text": reason["text"], "value": reason.get("value"),
                          "contribution": reason.get("contribution")}
    if "floor" in reason:
        shown["floor"] = reason["floor"]
    return shown


def grade_of(conn: Connection, uscc: str, as_of: date, settings: Settings) -> GradeAnswer | None:
    """The grade of ``uscc`` on the latest graded night on or before ``as_of``, with reasons and what
    would improve it; None when that night did not grade it (not operating then: cancelled, revoked,
    moved out — domain.md §7) or before its first grade.

    The advice reads the configuration that night graded with (``grading_runs``): its grading.yaml
    (``config``) and its rosters.yaml (``rosters_config``, migration 0048: which measures make a
    penalty heavier), so an edit of either file since leaves the advice on a past night as it was.
    A night graded before migration 0048 kept no rosters.yaml: its advice reads the rosters.yaml of
    ``settings`` as it is now (what every night's advice read before), and ``rosters_version`` names
    that file's version; ``night_runs.config_version`` names the one the night ran with. Likewise a
    night without a stored grading.yaml reads ``settings``' grading.yaml. ``settings``: the
    caller's (the API app's, the command line's) — not :func:`get_settings`'s."""
    code = uscc.strip().upper()
    row = conn.execute(sqlfiles.statement("grading/grade_of"), {"u": code, "d": as_of}).mappings().first()
    if row is None:
        return None
    cfg = row["config"] or load_config("grading", settings).data
    rosters, rosters_version = night_rosters(row["rosters_config"], row["rosters_version"], settings)
    labels = cfg["tiers"][row["grade"]]
    improve = to_improve(row["grade"], float(row["score"]), row["reasons"], cfg)
    for i in improve:
        if i["code"] == HEAVIER_PENALTY:
            # Per penalty: repair is not open to every heavier penalty (45号令 art. 14 para. 3, domain.md §6).
            i["change"] = heavier_penalty_advice(conn, code, row["night"], heavier_measures_of(rosters),
                                               settings) \
                or i["change"]
        elif i["code"] == INSPECTION_ADVERSE:
            i["change"] = inspection_advice(conn, code, row["night"], int(cfg["windows"]["inspection_years"])) \
                or i["change"]
    return {
        "grade": row["grade"], "label": labels["label"], "local_label": labels["local_label"],
        "score": float(row["score"]), "night": row["night"].isoformat(), "config_version": row["config_version"],
        "rosters_version": rosters_version,
        "reasons": [_shown(r) for r in row["reasons"]],
        "to_improve": improve,
    }


#: The rule whose advice is given per penalty (grading.yaml ``rules``): a heavier penalty counts
#: while its publicity runs, and what ends that early depends on the penalty (see below).
HEAVIER_PENALTY = "HEAVIER_PENALTY"


def penalty_advice(p: PenaltyView) -> str:
    """What would stop one heavier penalty from counting, saying only what is possible for it.

    A published penalty counts until its publicity ends (grading/penalties.sql): when its window
    runs out, or earlier by credit repair (信用修复) where repair is available. Whether it is, is
    the penalties module's own rule (:func:`credit.penalties.read.repair_available`): not for the
    penalties of 45号令 art. 14 para. 3 ("不得提前停止公示": suspension, restriction, practice ban,
    downgrading, licence revocation; domain.md §5.2, §6), whose publicity only ends with its
    window (a restriction longer than 3 years: its own end, art. 13 para. 3). An outsider's
    acceptance pass (s35) found repair offered for every heavier penalty.
    """
    case = p["doc_no"] or p["case_no"]
    until = f"公示期满（{p['publicity_until']}）后" if p["publicity_until"] else "公示期满后"
    if repair_available(p):
        return (f"{case}：履行处罚决定、消除影响，自 {p['repair_from']} 起可申请信用修复，信用修复后或{until}"
                "不再计入（《市场监督管理信用修复管理办法》总局令第107号；总局令第45号第十四条）")
    note = p["repair_note"] or "该处罚信息不得提前停止公示"
    return f"{case}：{note}，不适用信用修复，{until}不再计入"


def night_rosters(stored: dict[str, Any] | None, version: str | None,
                  settings: Settings) -> tuple[dict[str, Any], str]:
    """The rosters.yaml a graded night graded with and its version (``grading_runs.rosters_config``,
    ``rosters_version``); for a night graded before migration 0048 (both NULL), ``settings``'
    rosters.yaml as it is now, with its version."""
    if stored is not None:
        return stored, str(version)
    today = load_config("rosters", settings)
    return today.data, today.version


def night_record(conn: Connection, night: date) -> KnownAt | None:
    """The record as it stood after the published night ``night`` (:func:`credit.rosters.known.known_at`),
    or None when ``night`` is no published night (``night_runs``): the record as it is now is read then."""
    try:
        known = known_at(conn, night)
    except NoNightPublished:
        return None
    return known if known is not None and known.night == night else None


def heavier_penalty_advice(conn: Connection, uscc: str, night: date, heavier_measures: list[str],
                           settings: Settings) -> str | None:
    """The advice for HEAVIER_PENALTY on a grade of ``night``: one sentence per heavier penalty
    published that night (the ones the grading counted), joined; None when none is found (the
    configured text then stands).

    As that night knew them, whatever has changed since: ``heavier_measures`` are those the night
    graded with (:func:`night_rosters`); each penalty's flag and measures are as the store held them
    after ``night`` (``grading/heavier_cases.sql`` reads penalties_history); its publicity window,
    its own columns and its repair are those of the record after ``night`` (:func:`night_record`),
    so a later drop's correction (a measure that forbids repair, or no longer does) changes the
    later nights' advice, not this one's. ``settings``: the caller's (its publicity.yaml labels the
    penalty classes), not :func:`credit.settings.get_settings`'s."""
    # 较重 by measure too (domain.md §4), as the grading counted them.
    cases = {str(r["case_no"]) for r in conn.execute(sqlfiles.statement("grading/heavier_cases"),
                                                         {"u": uscc, "hm": heavier_measures, "n": night}).mappings()}
    if not cases:
        return None
    shown = [penalty_advice(p) for p in penalties_of(conn, uscc, night, night_record(conn, night), settings)
             if p["case_no"] in cases and p["state"] == "published"]
    return "；".join(shown) or None


#: The scorecard item whose advice is given per spot-check result (grading.yaml ``scorecard``).
INSPECTION_ADVERSE = "INSPECTION_ADVERSE"


def inspection_advice(conn: Connection, uscc: str, night: date, years: int) -> str | None:
    """The advice for INSPECTION_ADVERSE on a grade of ``night``: each adverse result counted, with
    the day it stops counting; None when none is found (the configured text then stands).

    The item counts every adverse result of the look-back (``grading/inspections.sql``), whatever a
    later inspection finds: what ends it is the look-back, not the next spot check (an outsider's
    pass, bb5, found "整改后在下次抽查中未发现问题" offered, which changed nothing).

    As that night knew them (``grading/inspections_of.sql`` reads inspection_results_history): a
    later drop that corrects a result or no longer has it changes the later nights' advice, not
    this one's."""
    rows = conn.execute(sqlfiles.statement("grading/inspections_of"),
                        {"u": uscc, "night": night, "years": years}).mappings().all()
    if not rows:
        return None
    each = "；".join(f"{r['task_id']}（{r['inspected_on']}，{RESULT_LABELS.get(r['result_code'], r['result_code'])}）："
                    f"自 {r['stops_on']} 起不再计入" for r in rows)
    return f"{each}（抽查检查发现问题的结果自检查之日起计入{years}年）"


def latest_graded_night(conn: Connection) -> date | None:
    """The latest night that graded (``grading_runs``), or None before the first."""
    night: date | None = conn.execute(sqlfiles.statement("grading/latest_graded_night")).scalar()
    return night


def transitions(conn: Connection, night: date) -> list[tuple[str, str, int]]:
    """(from tier, to tier, entities) moved on ``night``; '-' is "not graded" on that side."""
    rows = conn.execute(sqlfiles.statement("grading/transitions_of"), {"n": night}).all()
    return [(str(f), str(t), int(c)) for f, t, c in rows]
