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

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.night import scope as night_scope
from credit.night.scope import NightScope
from credit.penalties.publicity import NAT, WINDOW_COLUMNS, day_array, load_publicity_rules, windows
from credit.rosters.env import RosterEnv
from credit.settings import Settings, get_settings

#: The columns whose change appends a window row: the entity too — a penalty corrected to name another
#: entity (the same case_no, contracts.md §1) is that entity's from the night the store holds it so.
COMPARED = [c for c in WINDOW_COLUMNS if c not in ("case_no", "decided_on")] + ["withdrawn_on"]
#: The columns of dates: compared and written as days (a Timestamp as its date, NaT/NaN/None as None).
DATES = ("decided_on", "publicity_from", "publicity_until", "repair_from", "revoked_on", "withdraw_due", "withdrawn_on")


def _value(v: Any) -> Any:
    if v is None or (not isinstance(v, list | tuple) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v


def _objects(col: pd.Series | np.ndarray) -> np.ndarray:
    """A column as Python values with None for every missing one (:func:`_value` of each)."""
    out = np.asarray(col, dtype=object).copy()
    out[pd.isna(out)] = None
    return out


def changes(now: pd.DataFrame, prev: pd.DataFrame, night: date) -> pd.DataFrame:
    """The windows of ``now`` to append tonight (columns of ``penalty_publicity`` but night and
    config_version), in ``now``'s order: a new case, or one whose window differs from its latest
    row (``prev``, one row per case) in a column of :data:`COMPARED`. A revoked case keeps the
    night its withdrawal was first recorded, else it is withdrawn tonight (45号令 art. 11, domain.md §6).

    Columnar (issue 11): the per-case dicts and the comparison value by value took 70 % of
    maintain_windows' client time on a first night at 1 M entities; here each column is compared
    whole, missing equal to missing, dates as days. On the 1 M drop's first night (34,014 cases) the
    comparison took 0.99 s of CPU with no previous row and 1.51 s against unchanged rows; now 0.51 s
    and 0.14 s (tests/unit/penalties/test_windows_columnar.py keeps the per-case reference)."""
    n = len(now)
    cases = now["case_no"].astype(str).to_numpy(dtype=object)
    if prev.empty:
        pos = np.full(n, -1, dtype=np.int64)
    else:
        pos = pd.Index(prev["case_no"].astype(str).to_numpy(dtype=object)).get_indexer(cases)
    has_old = pos >= 0
    take = np.maximum(pos, 0)

    def old(col: str) -> pd.Series | None:
        if prev.empty or col not in prev:
            return None
        return prev[col].iloc[take].reset_index(drop=True)

    revoked = day_array(now["revoked_on"], n)
    before = old("withdrawn_on")
    kept = day_array(before, n) if before is not None else np.full(n, NAT)
    kept[~has_old] = NAT
    withdrawn = np.where(np.isnat(revoked), NAT, np.where(np.isnat(kept), np.datetime64(night, "D"), kept))

    out = {c: day_array(now[c], n) for c in DATES if c != "withdrawn_on"} | {"withdrawn_on": withdrawn}
    same = has_old.copy()
    for c in COMPARED:
        o = old(c)
        if c in DATES:
            b = day_array(o, n) if o is not None else np.full(n, NAT)
            a = out[c]
            same &= (np.isnat(a) & np.isnat(b)) | (a == b)
        else:
            a = _objects(now[c])
            b = _objects(o) if o is not None else np.full(n, None, dtype=object)
            a_na, b_na = pd.isna(a), pd.isna(b)
            same &= (a_na & b_na) | (~a_na & ~b_na & (a == b))
    rows = ~same
    frame = {c: (out[c][rows].astype(object) if c in DATES else _objects(now[c].to_numpy(dtype=object)[rows]))
             for c in [*WINDOW_COLUMNS, "withdrawn_on"]}
    return pd.DataFrame(frame, columns=[*WINDOW_COLUMNS, "withdrawn_on"], dtype=object)


def window_arrays(new: pd.DataFrame, night: date, version: str) -> dict[str, Any]:
    """The parameters of ``sql/penalties/insert_windows.sql`` for the rows of ``new`` (a frame of
    :func:`changes`): one list per column, in the frame's order, each value as the row-by-row
    insert took it from ``DataFrame.to_dict("records")`` (a numpy scalar as its Python value,
    None as NULL), and the night and the rules' version once.

    One statement per chunk, its parameters in binary (:func:`credit.sqlfiles.execute_binary`),
    instead of one INSERT per window (issue 11): on the 1 M drop's first night (33,905 windows,
    five runs each, alternating, on one connection) the executemany took 1.85–2.9 s of client CPU,
    1.35–1.9 s of the server's and 3.4–7.4 s of wall time; the arrays take 0.24–0.45 s (0.12 s of
    it here), 0.79–1.14 s and 1.1–2.1 s, and the table's rows are the same (one md5 over all of
    them; tests/db/penalties/test_insert_windows.py keeps the row-by-row insert as the reference)."""
    params: dict[str, Any] = {"night": night, "config_version": version}
    for c in [*WINDOW_COLUMNS, "withdrawn_on"]:
        params[c] = [v.item() if isinstance(v, np.generic) else v for v in _objects(new[c].to_numpy(dtype=object))]
    return params


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
        new = changes(now, prev, night)
        if len(new):
            sqlfiles.execute_binary(conn, sqlfiles.statement("penalties/insert_windows"), window_arrays(new, night, version))
        changed += len(new)
    return changed
