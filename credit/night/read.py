"""Published nights as read: the latest night's run with its summary (what the bureau page shows)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypedDict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit.night.records import NightSummary


class NightRun(TypedDict):
    """A published night: when it finished, under which configuration, and its summary."""

    night: date
    config_version: str
    finished_at: datetime
    summary: NightSummary


def latest_run(conn: Connection) -> NightRun | None:
    """The latest published night's run, or None before the first night."""
    row = conn.execute(sa.text("select night, config_version, finished_at, summary from night_runs "
                               "order by night desc limit 1")).mappings().first()
    if row is None:
        return None
    return {"night": row["night"], "config_version": row["config_version"], "finished_at": row["finished_at"],
            "summary": row["summary"]}
