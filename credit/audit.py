"""``credit audit verify``: walk the decision log's hash chain (domain.md §10: our own history is
the evidence of what was decided when).

Each decision stores the SHA-256 of its canonical content (``roster_decision_canonical``) and
``row_hash = SHA-256(prev_hash || content_hash)``. The walk is one set-based query: recompute
every content hash, compare each row's ``prev_hash`` with the previous row's ``row_hash``, check
that seq and each authority's 文号 sequence have no gaps. The first broken link is named.

RUNBOOK: a broken link means a decision was altered or removed outside the application (the
table refuses UPDATE/DELETE, so someone disabled the trigger as superuser). Do not "fix" the
chain: restore the log from the last backup whose verify passed, and report the incident.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str | None = None

    def message(self) -> str:
        if self.ok:
            return f"decision log intact: {self.checked} decisions, chain verified"
        return f"decision log BROKEN at decision {self.broken_seq}: {self.problem}"


_WALK = """
with walk as (
    select d.seq, d.content_hash, d.prev_hash, d.row_hash, d.authority, d.doc_year, d.doc_seq,
           encode(sha256(convert_to(roster_decision_canonical(d), 'UTF8')), 'hex') as recomputed,
           lag(d.row_hash) over (order by d.seq) as previous_hash,
           lag(d.seq) over (order by d.seq) as previous_seq
      from roster_decisions as d
), numbers as (
    select d.seq, d.doc_seq,
           lag(d.doc_seq) over (partition by d.authority, d.doc_year order by d.doc_seq) as previous_no
      from roster_decisions as d where d.doc_seq is not null
), problems as (
    select seq, 'content changed (hash of the row differs from the stored hash)' as problem from walk
     where recomputed <> content_hash
    union all
    select seq, 'link broken (prev_hash differs from the previous decision''s hash)' from walk
     where prev_hash <> coalesce(previous_hash, :genesis)
    union all
    select seq, 'row hash does not match prev_hash + content hash' from walk
     where row_hash <> encode(sha256(convert_to(prev_hash || content_hash, 'UTF8')), 'hex')
    union all
    select seq, 'gap in the log before this decision (a decision was removed)' from walk
     where seq <> coalesce(previous_seq, 0) + 1
    union all
    select seq, 'gap in the document numbers (文号) of its authority and year' from numbers
     where doc_seq <> coalesce(previous_no, 0) + 1
)
select seq, problem, (select count(*) from roster_decisions) as n from problems order by seq, problem limit 1
"""


def verify_chain(conn: Connection) -> ChainReport:
    """Walk the chain; ``ok`` only when every link, hash and number holds."""
    row = conn.execute(sa.text(_WALK), {"genesis": GENESIS}).first()
    n = conn.execute(sa.text("select count(*) from roster_decisions")).scalar_one()
    if row is None:
        return ChainReport(True, int(n))
    return ChainReport(False, int(n), int(row[0]), str(row[1]))
