"""Grades as read: an entity's tier on a date, with its reasons and what would improve it."""

from __future__ import annotations

from datetime import date
from typing import Any, NotRequired, TypedDict

from sqlalchemy import Connection, text

from credit import sqlfiles
from credit.config import load_config
from credit.grading.score import Improvement, to_improve


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
    reasons: list[ReasonShown]
    to_improve: list[Improvement]


def _shown(reason: dict[str, Any]) -> ReasonShown:
    # Every stored reason has a code and a text (:func:`credit.grading.score.grade` writes them).
    shown: ReasonShown = {"code": reason["code"], "text": reason["text"], "value": reason.get("value"),
                          "contribution": reason.get("contribution")}
    if "floor" in reason:
        shown["floor"] = reason["floor"]
    return shown


def grade_of(conn: Connection, uscc: str, as_of: date) -> GradeAnswer | None:
    """The latest grade of ``uscc`` on or before ``as_of``, with reasons and what would improve it."""
    row = conn.execute(sqlfiles.statement("grading/grade_of"),
                       {"u": uscc.strip().upper(), "d": as_of}).mappings().first()
    if row is None:
        return None
    cfg = row["config"] or load_config("grading").data
    labels = cfg["tiers"][row["grade"]]
    return {
        "grade": row["grade"], "label": labels["label"], "local_label": labels["local_label"],
        "score": float(row["score"]), "night": row["night"].isoformat(), "config_version": row["config_version"],
        "reasons": [_shown(r) for r in row["reasons"]],
        "to_improve": to_improve(row["grade"], float(row["score"]), row["reasons"], cfg),
    }


def latest_graded_night(conn: Connection) -> date | None:
    """The latest night that graded (``grading_runs``), or None before the first."""
    night: date | None = conn.execute(text("select max(night) from grading_runs")).scalar()
    return night


def transitions(conn: Connection, night: date) -> list[tuple[str, str, int]]:
    """(from tier, to tier, entities) moved on ``night``; '-' is "not graded" on that side."""
    rows = conn.execute(text(
        "select from_grade, to_grade, count from grade_transitions where night = :n "
        "order by from_grade, to_grade"), {"n": night}).all()
    return [(str(f), str(t), int(c)) for f, t, c in rows]
