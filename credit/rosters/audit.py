"""``credit audit verify``: walk the decision log's hash chain (our own history is the evidence of
what was decided when).

Each decision stores the SHA-256 of its canonical content (``roster_decision_canonical``: the
jsonb text of its columns) and ``row_hash = SHA-256(prev_hash || content_hash)``. The walk
streams the log in seq order and, in Python, independently of the database's own function:
rebuilds the canonical text from the stored columns and recomputes every hash, checks each
``prev_hash`` against the previous ``row_hash`` and that seq has no gaps. It also checks that the
database's canonical function still reproduces the stored hash, that each authority's 文号
sequence has no gaps, and compares the log against every **anchor** (``roster_chain_anchors``:
the head (seq, row_hash) each night left behind). Without the anchors, deleting the last
decisions or rewriting the whole chain consistently would pass; with them, the anchored head is
missing or has another hash. The first broken link (lowest seq) is named.

RUNBOOK: a broken link means a decision was altered or removed outside the application (the
table refuses UPDATE/DELETE, so someone disabled the trigger as superuser). Do not "fix" the
chain: restore the log from the last backup whose verify passed, and report the incident.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

GENESIS = "0" * 64

# The columns of roster_decision_canonical (migration 0002), in any order: jsonb sorts the keys.
CANONICAL_COLUMNS = (
    "seq", "uscc", "roster", "action", "proposed_action", "entry_id", "refers_to", "request_id", "cause_code",
    "cause", "basis", "rule_id", "rule_version", "facts", "fact_key", "trigger_date", "decision_date", "due_date",
    "due_provisional", "due_note", "late", "effective_until", "reason", "authority", "authority_name",
    "doc_prefix", "decision_no", "doc_year", "doc_seq", "config_version", "night", "actor")


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str | None = None
    anchors: int = 0

    def message(self) -> str:
        if self.ok:
            return (f"decision log intact: {self.checked} decisions, chain verified"
                    f" against {self.anchors} nightly anchors")
        return f"decision log BROKEN at decision {self.broken_seq}: {self.problem}"


def _json_value(v: Any) -> str:
    """One value as PostgreSQL's jsonb text form writes it (to_jsonb of the column type)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, date):
        return '"' + v.isoformat() + '"'
    # jsonb escapes ", \\, \\b \\f \\n \\r \\t and other control characters as \\u00xx; so does json.dumps.
    return json.dumps(str(v), ensure_ascii=False)


def canonical_text(row: dict[str, Any]) -> str:
    """The canonical content of a decision, rebuilt in Python: jsonb object text with keys ordered
    by byte length then bytes, ``"key": value`` pairs joined by ``", "``. ``row["facts"]`` is the
    stored jsonb's own text (already canonical)."""
    keys = sorted(CANONICAL_COLUMNS, key=lambda k: (len(k.encode()), k.encode()))
    parts = []
    for k in keys:
        value = row["facts"] if k == "facts" else _json_value(row[k])
        parts.append(f"{json.dumps(k)}: {value}")
    return "{" + ", ".join(parts) + "}"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_ROWS = f"""
select {", ".join("d.facts::text as facts" if c == "facts" else "d." + c for c in CANONICAL_COLUMNS)},
       d.content_hash, d.prev_hash, d.row_hash,
       encode(sha256(convert_to(roster_decision_canonical(d), 'UTF8')), 'hex') as db_recomputed
  from roster_decisions as d order by d.seq
"""

_NUMBERS = """
with numbers as (
    select d.seq, d.doc_seq,
           lag(d.doc_seq) over (partition by d.authority, d.doc_year order by d.doc_seq) as previous_no
      from roster_decisions as d where d.doc_seq is not null
)
select seq from numbers where doc_seq <> coalesce(previous_no, 0) + 1 order by seq limit 1
"""


def verify_chain(conn: Connection) -> ChainReport:
    """Walk the chain; ``ok`` only when every link, hash, number and anchor holds."""
    anchors: dict[int, list[tuple[date, str]]] = defaultdict(list)
    n_anchors = 0
    for night, seq, row_hash in conn.execute(sa.text(
            "select night, seq, row_hash from roster_chain_anchors order by id")):
        anchors[int(seq)].append((night, row_hash))
        n_anchors += 1
    problems: list[tuple[int, str]] = []
    checked = 0
    last_seq, last_hash = 0, GENESIS
    result = conn.execution_options(stream_results=True, yield_per=20000).execute(sa.text(_ROWS))
    for m in result.mappings():
        seq = int(m["seq"])
        checked += 1
        found: str | None = None
        if seq != last_seq + 1:
            missing = f"{last_seq + 1}" if seq == last_seq + 2 else f"{last_seq + 1}–{seq - 1}"
            found = f"gap in the log before this decision (decision {missing} missing: a decision was removed)"
        elif _sha(canonical_text(dict(m))) != m["content_hash"]:
            found = "content changed (hash of the row, recomputed in Python, differs from the stored hash)"
        elif m["db_recomputed"] != m["content_hash"]:
            found = "the database's canonical function no longer reproduces the stored hash (function altered?)"
        elif m["prev_hash"] != last_hash:
            found = "link broken (prev_hash differs from the previous decision's hash)"
        elif m["row_hash"] != _sha(m["prev_hash"] + m["content_hash"]):
            found = "row hash does not match prev_hash + content hash"
        else:
            for night, anchored in anchors.get(seq, ()):
                if anchored != m["row_hash"]:
                    found = (f"hash differs from the head anchored by night {night.isoformat()} "
                             "(the chain was rewritten)")
                    break
        if found:
            problems.append((seq, found))
            break
        last_seq, last_hash = seq, m["row_hash"]
    result.close()
    if not problems:
        beyond = sorted((s, night) for s, lst in anchors.items() if s > last_seq for night, _ in lst)
        if beyond:
            s, night = beyond[-1]
            problems.append((last_seq + 1, f"decisions {last_seq + 1}–{s} are missing: night {night.isoformat()} "
                                           f"anchored the head at decision {s}, the log ends at {last_seq} "
                                           "(the last decisions were removed)"))
    no = conn.execute(sa.text(_NUMBERS)).scalar()
    if no is not None:
        problems.append((int(no), "gap in the document numbers (文号) of its authority and year"))
    if not problems:
        return ChainReport(True, checked, anchors=n_anchors)
    seq, problem = min(problems)
    return ChainReport(False, checked, seq, problem, anchors=n_anchors)
