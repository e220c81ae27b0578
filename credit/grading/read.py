"""Grades as read: an entity's tier on a date, with its reasons and what would improve it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from credit.config import load_config
from credit.grading.score import to_improve


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
