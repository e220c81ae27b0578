"""The decision log's writer: candidate decisions become numbered, chained log rows.

The log (``roster_decisions``) is append-only: the database refuses UPDATE and DELETE, assigns
seq, entry ids, gap-free 文号 per authority and year, and the hash chain (migration 0002). Both
the night (:mod:`credit.rosters.decide`) and the officers' actions (:mod:`credit.rosters.repair`)
write through :func:`finalise` and :func:`insert_decisions`, under :data:`LOCK_KEY`.
"""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.rosters.authorities import REMEDY_ACTIONS
from credit.rosters.env import RosterEnv
from credit.rosters.rules import RuleVersion

INSERT_COLUMNS = ["uscc", "roster", "action", "proposed_action", "entry_id", "refers_to", "request_id",
                  "cause_code", "cause", "basis", "rule_id", "rule_version", "facts", "fact_key",
                  "trigger_date", "decision_date", "due_date", "due_provisional", "due_note",
                  "effective_until", "reason", "authority", "authority_name", "doc_prefix", "decision_no",
                  "config_version", "night", "actor"]
_INT_COLUMNS = ("entry_id", "refers_to", "request_id")
_DATE_COLUMNS = ("trigger_date", "decision_date", "due_date", "due_provisional", "effective_until", "night")
_COPY_ROWS = 5_000   # rows of CSV text per write of a COPY (a decision's row is about 1 KB of text)
# Arrow's CSV writer quotes every text value (a bare CR or LF inside is then data, not a line end,
# for COPY), and writes a null as an empty unquoted field, which COPY reads as NULL.
_CSV = pacsv.WriteOptions(include_header=False, quoting_style="needed")
LOCK_KEY = 4270002  # same key as the insert trigger: one writer of the log at a time


#: The night's order of appending, over the stage (:class:`DecisionStage`): the rank of the
#: action (``rank``, :func:`credit.rosters.decide.night_rank`), then roster, authority, uscc and
#: fact_key in code-point order (``collate "C"``, as Python and pandas compare strings), then the
#: order of arrival. The same order as :func:`credit.rosters.decide.sort_night_rows`, which sorts a
#: frame: a night staged in chunks appends its decisions as the whole night's frame would.
NIGHT_ORDER = 'rank, roster collate "C", authority collate "C", uscc collate "C", fact_key collate "C", ord'


class DecisionStage:
    """New decisions on their way into the log: COPYed chunk by chunk into the temporary
    ``_roster_new`` (``sql/rosters/decisions_stage.sql``), then appended in one statement. The
    database assigns seq, entry ids, 文号 and the hash chain (:meth:`append`: the function
    ``roster_decisions_append``, as a set; :meth:`append_returning`: the trigger
    ``roster_decisions_chain``, row by row). A night's million decisions never sit in the client
    at once (issue 11): each chunk is written as it is made, and the stage holds them until the
    append."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.rows = 0
        conn.exec_driver_sql("drop table if exists _roster_new")
        conn.exec_driver_sql(sqlfiles.text_of("rosters/decisions_stage"))

    def add(self, frame: pd.DataFrame, rank: pd.Series | None = None) -> None:
        """COPY log rows (:data:`INSERT_COLUMNS`) after those added before; ``rank``: the night's
        rank of each row's action (:data:`NIGHT_ORDER`)."""
        if frame.empty:
            return
        table = _stage_rows(frame.reindex(columns=INSERT_COLUMNS), self.rows, rank)
        raw = self.conn.connection.driver_connection
        assert raw is not None  # a live connection inside the caller's transaction
        with raw.cursor() as cur, cur.copy(f"copy _roster_new (ord, {', '.join(INSERT_COLUMNS)}, rank) "
                                           "from stdin with (format csv)") as cp:
            for batch in table.to_batches(max_chunksize=_COPY_ROWS):   # a few thousand rows' text at a time
                buf = io.BytesIO()
                pacsv.write_csv(batch, buf, _CSV)
                cp.write(buf.getbuffer())
        self.rows += table.num_rows

    def append(self, order: str = "ord") -> int:
        """Append the staged rows to the log in ``order`` (:data:`NIGHT_ORDER`, or arrival: a list
        of the stage's columns, each optionally ``collate "C"``); returns how many; the stage is
        dropped. The rows are numbered and chained as a set by ``roster_decisions_append``
        (migration 0028): the same rows as the per-row trigger gives, without a trigger call per
        row (a first night's inclusions, issue 11)."""
        self.conn.execute(sqlfiles.statement("rosters/stage_to_owner"))
        n = self.conn.execute(sqlfiles.statement("rosters/append_stage"), {"order_by": order}).scalar_one()
        self.conn.exec_driver_sql("drop table _roster_new")
        return int(n)

    def append_returning(self) -> pd.DataFrame:
        """Append in the order of arrival; returns the inserted rows (seq, decision_no, fact_key…)."""
        cols = ", ".join(INSERT_COLUMNS)
        out = self.conn.execute(sa.text(
            f"insert into roster_decisions ({cols}) select {cols} from _roster_new order by ord "
            "returning seq, decision_no, fact_key, uscc, action, entry_id, due_date")).mappings().all()
        self.conn.exec_driver_sql("drop table _roster_new")
        return pd.DataFrame(out)


def _stage_rows(df: pd.DataFrame, first: int, rank: pd.Series | None) -> pa.Table:
    """The stage's columns of ``df`` (:data:`INSERT_COLUMNS`) as Arrow, for COPY: ``ord`` from
    ``first`` on, ids as integers, dates as dates, text as text; ``rank`` the night's rank of each
    row. The same values COPY took from ``DataFrame.to_csv`` before (issue 11: the writing cost more
    than the COPY): a value that is no number or no date is NULL, and so is an empty text (an empty
    unquoted field, as the CSV of pandas had it)."""
    n = len(df)
    cols: dict[str, pa.Array[Any]] = {"ord": pa.array(np.arange(first, first + n, dtype=np.int64))}
    for c in INSERT_COLUMNS:
        s = df[c]
        if c in _INT_COLUMNS:
            cols[c] = pa.array(pd.to_numeric(s, errors="coerce").astype("Int64"), type=pa.int64(), from_pandas=True)
        elif c in _DATE_COLUMNS:
            days = pd.to_datetime(s, errors="coerce").to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
            cols[c] = pa.array(days, type=pa.date32(), from_pandas=True)
        else:
            cols[c] = _text(s)
    ranks = pd.Series(rank.to_numpy(), index=df.index).astype("Int64") if rank is not None else pd.Series([None] * n)
    cols["rank"] = pa.array(ranks, type=pa.int16(), from_pandas=True)
    return pa.table(cols)


def _text(s: pd.Series) -> pa.Array[Any]:
    """A text column as Arrow strings: missing values and empty texts null, anything else its
    ``str`` (what ``to_csv`` wrote)."""
    try:
        arr = pa.array(s, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):   # not all text: numbers, booleans, mappings…
        arr = pa.array([None if _missing(v) else v if isinstance(v, str) else str(v) for v in s], type=pa.string())
    empty = pc.equal(arr, pa.scalar("", pa.string()))
    text: pa.Array[Any] = pc.if_else(empty, pa.scalar(None, pa.string()), arr)
    return text


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def insert_decisions(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """Append decisions (one row each, :data:`INSERT_COLUMNS`) in the frame's order, through a
    :class:`DecisionStage`: one COPY, one statement for a million decisions. Returns the inserted
    rows (seq, decision_no, fact_key…)."""
    if frame.empty:
        return pd.DataFrame(columns=["seq", "decision_no", "fact_key", "uscc", "action"])
    stage = DecisionStage(conn)
    stage.add(frame)
    return stage.append_returning()


def held_fact_keys(conn: Connection, keys: pd.Series) -> set[str]:
    """The fact keys among ``keys`` that the log already holds (by index, not the whole log)."""
    wanted = sorted({str(k) for k in keys.dropna()})
    if not wanted:
        return set()
    return {str(k) for k in conn.execute(sqlfiles.statement("rosters/held_fact_keys"), {"k": wanted}).scalars()}


def finalise(cands: pd.DataFrame, env: RosterEnv, on: date, *, actor: str, night: date | None,
             drafts: bool = True) -> pd.DataFrame:
    """Turn candidate decisions into log rows: rule in force, wording, due date, authority, drafts.

    ``cands`` needs uscc, roster, action, rule_id, cause_code, fact_key, facts, trigger_date,
    region_code; optional entry_id, refers_to, request_id, due_start, due_date, effective_until,
    reason, family. Rows whose rule has no enabled version on ``on`` are dropped: a decision is
    judged by the rule in force on its date, and a switched-off rule decides nothing.
    ``drafts=False``: never a draft (the serious-list procedure has officers' steps of its own).

    Works on whole columns: what depends on a few values (the rule's wording, the region's remedy,
    the roster's drafting switch) is computed once per distinct value and spread by code, not once
    per row. The 1 M-entity first night's 176,322 candidates (seed 7, 2026-07-13) took 4.83 s of
    CPU here row by row and take 1.67 s, with the same rows (issue 11).
    """
    if cands.empty:
        return pd.DataFrame(columns=INSERT_COLUMNS)
    df = cands.copy()
    for c in ("entry_id", "refers_to", "request_id", "due_start", "due_date", "effective_until", "reason",
              "family", "due_note", "due_provisional", "wording_version", "effective_on"):
        if c not in df:
            df[c] = None
    in_force = {rid: v for rid in df["rule_id"].unique()
                if (v := env.rules.find(rid, on)) is not None and v.enabled}
    df = df[df["rule_id"].isin(list(in_force))].reset_index(drop=True)
    if df.empty:
        return pd.DataFrame(columns=INSERT_COLUMNS)
    # A decision may carry the wording of another version of its rule (``wording_version``): the
    # automatic end of a listing speaks the regime the listing was made under (e.g. 83号令 5 years).
    # Cause, basis, rule version and default reason depend on the row's rule, wording version,
    # family, entity kind and roster only: worded once per distinct combination (a first night's
    # 200,000 inclusions have a handful), not once per row.
    _word(df, env, in_force)
    # Due dates: the period of the version in force when the period started to run.
    start = pd.to_datetime(df["due_start"].where(df["due_start"].notna(), df["trigger_date"]), errors="coerce")
    due = pd.to_datetime(df["due_date"], errors="coerce").to_numpy(dtype="datetime64[D]")
    # A provisional date the caller derived itself (a limit of several steps) is kept as given.
    prov = pd.to_datetime(df["due_provisional"], errors="coerce").to_numpy(dtype="datetime64[D]")
    todo = np.isnat(due) & np.isnat(prov) & start.notna().to_numpy()
    for rid in df.loc[todo, "rule_id"].unique():
        versions = env.rules.versions(rid)
        mask = todo & (df["rule_id"] == rid).to_numpy()
        starts = start[mask].to_numpy(dtype="datetime64[D]")
        for v in versions:
            # RuleVersion.in_force, or before the first version (the first governs), on the column.
            vm = starts >= np.datetime64(v.valid_from, "D")
            if v.valid_to is not None:
                vm &= starts <= np.datetime64(v.valid_to, "D")
            if v is versions[0]:
                vm = vm | (starts < np.datetime64(versions[0].valid_from, "D"))
            idx = np.flatnonzero(mask)[vm]
            if len(idx) == 0 or v.period is None:
                continue
            d, p = v.period.end_many(start.iloc[idx].to_numpy(dtype="datetime64[D]"), env.cal)
            due[idx], prov[idx] = d, p
    df["due_date"] = pd.Series(due).dt.date.where(~np.isnat(due), None)
    df["due_provisional"] = pd.Series(prov).dt.date.where(~np.isnat(prov), None)
    unknown = ~np.isnat(prov)
    df.loc[unknown, "due_note"] = "provisional: holiday schedule not published (国务院办公厅当年部分节假日安排的通知尚未发布; 工作日按《中华人民共和国行政处罚法》第八十五条计算)"
    code, name, prefix = env.authority(df["region_code"])
    df["authority"], df["authority_name"], df["doc_prefix"] = code.values, name.values, prefix.values
    # The remedy statement (救济途径) travels in the decision's facts, inside the hash chain: what the
    # party was told stays what it was told (credit.rosters.authorities, domain.md §3.4).
    affects = df["action"].isin(REMEDY_ACTIONS).to_numpy()
    if affects.any():
        regions = df.loc[affects, "region_code"]
        remedies = {r: env.remedy(r, on) for r in regions.fillna("000000").astype(str).unique()}
        codes, uniq = pd.factorize(regions)   # a missing region (code -1) says what "000000" says
        said = np.array([remedies[str(r) if isinstance(r, str) else "000000"] for r in uniq]
                        + ([remedies["000000"]] if (codes < 0).any() else []), dtype=object)
        df.loc[affects, "facts"] = with_remedies(df.loc[affects, "facts"], said[np.where(codes < 0, len(uniq), codes)])
    # A decision takes effect on its date; one the law makes effective on a day of its own (the
    # automatic end of a listing period, ``effective_on``) is dated that day when the night that
    # records it comes later (a night skipped): the entry is off the list from the day the law
    # says, in every as-of answer, and the night records when it became known (record time);
    # recorded after its due date it is late (the log's ``late`` reads the later of its date and
    # its night, migration 0045).
    eff = pd.to_datetime(df["effective_on"], errors="coerce")
    earlier = (eff.notna() & (eff < pd.Timestamp(on))).to_numpy()
    df["decision_date"] = on
    if earlier.any():
        df["decision_date"] = df["decision_date"].astype(object)
        df.loc[earlier, "decision_date"] = list(eff[earlier].dt.date)
    df["night"] = night
    df["actor"] = actor
    df["config_version"] = env.config_version
    df["proposed_action"] = None
    codes, uniq = pd.factorize(df["roster"], use_na_sentinel=False)
    drafting = np.array([bool(env.drafts(r, on)) for r in uniq], dtype=bool)
    drafted = pd.Series(drafting[codes], index=df.index) & (actor == "night") & drafts
    df.loc[drafted, "proposed_action"] = df.loc[drafted, "action"]
    df.loc[drafted, "action"] = "propose"
    return df.reindex(columns=INSERT_COLUMNS)


def _word(df: pd.DataFrame, env: RosterEnv, in_force: dict[str, RuleVersion]) -> None:
    """Set cause, basis, rule_version and (where the row has none) reason of ``df``'s rows: the
    rule version in force (``in_force``), or the row's ``wording_version`` when it is a version of
    the row's rule; ``{family}`` named by the rules' ``families``; ``basis_by`` entity kind, then
    roster. Computed once per distinct (rule, wording version, family, kind, roster) and spread by
    code; each value is the one the row's own computation gives (a non-text wording version,
    family, kind or roster counts as none, as it did row by row)."""
    n = len(df)
    kinds = df["entity_kind"] if "entity_kind" in df else pd.Series([None] * n, index=df.index)
    columns = (df["rule_id"], df["wording_version"], df["family"], kinds, df["roster"])
    codes, values = [], []
    for i, col in enumerate(columns):
        c, uniq = pd.factorize(col)
        # code -1 (missing) is the last value, None; the rule id is taken as it is (a key of in_force).
        vals = [u if i == 0 or isinstance(u, str) else None for u in uniq] + [None]
        codes.append(np.where(c < 0, len(uniq), c).astype(np.int64))
        values.append(vals)
    key = np.zeros(n, dtype=np.int64)
    for c, vals in zip(codes, values, strict=True):
        key = key * (len(vals) + 1) + c
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    families: dict[str, str] = {}
    for v in in_force.values():
        families.update(v.extra.get("families") or {})
    cause, basis, version, reason = [], [], [], []
    for row in first:
        rid, wv, fam, kind, roster = (vals[c[row]] for c, vals in zip(codes, values, strict=True))
        worded = env.rules.by_version(wv) if wv is not None else None
        v = worded if worded is not None and worded.rule_id == rid else in_force[rid]
        f = families.get(fam, fam) if fam is not None else ""
        cause.append(v.wording.replace("{family}", f))
        basis.append(basis_by(v, kind, roster, v.basis.replace("{family}", f)))
        version.append(v.version)
        reason.append(v.reason)
    take = inverse.reshape(-1)
    df["cause"] = np.array(cause, dtype=object)[take]
    df["basis"] = np.array(basis, dtype=object)[take]
    df["rule_version"] = np.array(version, dtype=object)[take]
    df["reason"] = df["reason"].where(df["reason"].notna(), pd.Series(np.array(reason, dtype=object)[take], index=df.index))


def basis_by(v: RuleVersion, kind: object, roster: object, basis: str) -> str:
    """``basis_by`` of the rule version, keyed by entity kind first, then roster; else ``basis``."""
    by = v.extra.get("basis_by") or {}
    for key in (kind, roster):
        if isinstance(key, str) and key in by:
            return str(by[key])
    return basis


#: The characters Python's ``str.strip`` removes (``str.isspace``; none lies above U+3000).
_SPACES = pa.array(sorted({chr(i) for i in range(0x3001) if chr(i).isspace()}), type=pa.string())


def with_remedies(facts: pd.Series, remedies: np.ndarray[Any, np.dtype[Any]]) -> np.ndarray[Any, np.dtype[Any]]:
    """:func:`with_remedy` of each row (``facts[i]``, ``remedies[i]``), on the columns: a JSON
    object's text whose inside starts and ends with no white space (what ``json.dumps`` writes)
    gets the member appended by Arrow's string kernels; any other value goes row by row. The same
    texts as row by row: the member is appended to the text between the braces, which
    ``strip`` would leave as it is."""
    out = np.empty(len(facts), dtype=object)
    members = ['"remedy": ' + json.dumps(r, ensure_ascii=False) for r in pd.unique(remedies)]
    member_of = dict(zip(pd.unique(remedies), members, strict=True))
    try:
        text = pa.array(facts, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):   # not all text (mappings…): row by row
        text = pa.nulls(len(facts), pa.string())
    body = pc.utf8_slice_codeunits(text, 1, -1)
    size = pc.utf8_length(body)
    edges_clean = pc.and_(pc.invert(pc.is_in(pc.utf8_slice_codeunits(body, 0, 1), value_set=_SPACES)),
                          pc.invert(pc.is_in(pc.utf8_slice_codeunits(body, -1, 2**31 - 1), value_set=_SPACES)))
    fast = pc.and_(pc.and_(pc.starts_with(text, "{"), pc.ends_with(text, "}")),
                   pc.and_(pc.greater_equal(pc.utf8_length(text), pa.scalar(2, pa.int32())), edges_clean))
    fast_np = fast.fill_null(False).to_numpy(zero_copy_only=False)
    member = pa.array([member_of[r] for r in remedies], type=pa.string())
    sep = pc.if_else(pc.equal(size, pa.scalar(0, pa.int32())), pa.scalar("", pa.string()), pa.scalar(", ", pa.string()))
    joined = pc.binary_join_element_wise("{", body, sep, member, "}", "")
    out[fast_np] = joined.filter(fast).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~fast_np):
        out[i] = with_remedy(facts.iloc[i], remedies[i])
    return out


def with_remedy(facts: object, remedy: str) -> str:
    """The facts JSON with the remedy statement under ``remedy``.

    A JSON object's text gets the member appended, without parsing and writing it again (a first
    night has one per inclusion: that was most of :func:`finalise`'s time). The log stores facts
    as ``jsonb``, which orders the keys and keeps the last of a duplicated key, so the stored
    value, and the hash chain over it, are those of setting ``doc["remedy"]`` in a parsed copy."""
    member = '"remedy": ' + json.dumps(remedy, ensure_ascii=False)
    if isinstance(facts, str):
        text = facts.strip()
        if text.startswith("{") and text.endswith("}"):
            body = text[1:-1].strip()
            return "{" + (body + ", " if body else "") + member + "}"
    doc = json.loads(facts) if isinstance(facts, str) and facts else dict(facts) if isinstance(facts, dict) else {}
    doc["remedy"] = remedy
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)
