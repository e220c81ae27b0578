"""The night keeps every penalty's publicity window (``penalty_publicity``, migration 0011).

Each night recomputes the windows of all penalties of the store by the rules of
:mod:`credit.penalties.publicity` and appends a row only for a case whose window changed (a new
case, a corrected fine, a revocation, a new rules version): the table is append-only and the
window "as known after night K" is the latest row with ``night <= K``. A revoked decision is
withdrawn by the first night that sees ``revoked_on`` (45号令 art. 11, domain.md §6: within 3 WD; the row
keeps the due date, so a late withdrawal shows). Re-running a night adds nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.night import scope as night_scope
from credit.night.scope import NightScope
from credit.penalties.publicity import WINDOW_COLUMNS, load_publicity_rules, records, windows
from credit.rosters.env import RosterEnv
from credit.settings import Settings, get_settings

COMPARED = [c for c in WINDOW_COLUMNS if c not in ("case_no", "uscc", "decided_on")] + ["withdrawn_on"]


def _value(v: Any) -> Any:
    if v is None or (not isinstance(v, list | tuple) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v


def maintain_windows(conn: Connection, night: date, settings: Settings | None = None, *,
                     scope: NightScope | None = None) -> int:
    """Append tonight's changed windows; returns how many cases got a new row. With a ``scope``,
    only the penalties of its entities (credit.night.scope).

    The penalties are read from a server-side cursor and compared chunk by chunk
    (``CREDIT_ROSTERS_CHUNK_ROWS`` cases at a time, each chunk with the latest windows of its own
    cases, by index): a window depends on its own case only, and a first night at 10 M entities
    has 340,000 cases, which the client no longer holds at once (issue 11)."""
    settings = settings or get_settings()
    rules = load_publicity_rules(settings)
    env = RosterEnv.load(settings)
    version = f"{rules.version};{env.cal.version}"
    changed = 0
    for pens in night_scope.frames(conn, "penalties/store_penalties", {}, scope, settings.rosters_chunk_rows):
        now = windows(pens.sort_values("case_no", ignore_index=True), rules, env.cal, env.heavier_measures())
        if now.empty:
            continue
        prev = sqlfiles.frame(conn, "penalties/latest_windows_of_cases", {"c": sorted(set(now["case_no"].astype(str)))})
        before: dict[str, dict[str, Any]] = {str(r["case_no"]): r for r in records(prev)}
        rows = []
        for r in records(now):
            old = before.get(str(r["case_no"]))
            if r["revoked_on"] is not None and not pd.isna(r["revoked_on"]):
                r["withdrawn_on"] = _value(old.get("withdrawn_on")) if old is not None else None
                r["withdrawn_on"] = r["withdrawn_on"] or night
            else:
                r["withdrawn_on"] = None
            if old is not None and all(_value(r[c]) == _value(old.get(c)) for c in COMPARED):
                continue
            rows.append({k: _value(v) for k, v in r.items()} | {"night": night, "config_version": version})
        if rows:
            conn.execute(sqlfiles.statement("penalties/insert_window"), rows)
        changed += len(rows)
    return changed
