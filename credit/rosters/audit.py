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

The in-database anchors can be rewritten by the same superuser, so the walk also compares the
log against two more records of each night's head: the head each night recorded in its summary
(``night_runs.summary.rosters.chain_head``) and the signed anchor file published outside the
database (:mod:`credit.rosters.anchors`, ``<publication>/anchors.jsonl``). A consistent rewrite
of chain *and* in-database anchors still differs from the published heads, which only the
bureau's signing key could have written; the anchor file's own links and signatures are checked.

The records are checked before the log is held against them, so that an altered record is named
and the log not blamed: a file line whose signature fails is no head; a night whose records
disagree keeps the one the log agrees with (the signed line first) and names the other; and the
file must still hold every line the publications recorded writing (``night_runs.summary
.anchor_published``): a deleted, emptied or shortened file fails instead of passing with a
warning (README "Tamper evidence" says what each check does not catch).

RUNBOOK: a broken link means a decision was altered or removed outside the application (the
table refuses UPDATE/DELETE, so someone disabled the trigger as superuser). Do not "fix" the
chain: restore the log from the last backup whose verify passed, and report the incident.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.engine import Connection, Engine

from credit import sqlfiles
from credit.rosters.anchors import AnchorFile, FileAnchor
from credit.settings import Settings

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
    anchors: int = 0                      # anchors in the database (roster_chain_anchors)
    broken_night: date | None = None      # the night that published the first broken decision (first head covering it)
    published: int = 0                    # anchors of the file outside the database
    recorded: int = 0                     # heads recorded in the nights' summaries
    warnings: tuple[str, ...] = ()

    def message(self) -> str:
        if self.ok:
            return (f"决定日志完整：已核对 {self.checked} 项决定，与库内 {self.anchors} 个夜间锚点、各批次记录的 "
                    f"{self.recorded} 个链头及库外公布的 {self.published} 个签名锚点相符 "
                    f"(decision log intact: {self.checked} decisions, chain verified"
                    f" against {self.anchors} nightly anchors, {self.recorded} heads recorded by the nights"
                    f" and {self.published} signed anchors published outside the database)")
        if self.broken_seq is None:
            # A record of the heads (a file line, an anchor, the file itself), not the log: the log
            # was walked against the records left to trust and holds.
            return (f"锚点记录未通过校验 (anchor records BROKEN; the decision log holds against the records left to "
                    f"trust, {self.checked} decisions walked): {self.problem}")
        night = f" (night {self.broken_night.isoformat()})" if self.broken_night else ""
        where = f"（{self.broken_night.isoformat()} 夜）" if self.broken_night else ""
        return (f"决定日志校验未通过：决定 {self.broken_seq}{where} "
                f"(decision log BROKEN at decision {self.broken_seq}{night}): {self.problem}")


@dataclass(frozen=True)
class _Head:
    """One record of the head a night left behind: where it is kept, the night, the hash."""

    source: str
    night: date
    row_hash: str


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
  from roster_decisions as d where d.seq > :after and (cast(:upto as bigint) is null or d.seq <= :upto) order by d.seq
"""

_DB = "the database's anchor (roster_chain_anchors)"
_SUMMARY = "the head recorded in the night's summary (night_runs)"


def _file_label(published: AnchorFile, a: FileAnchor) -> str:
    return f"the signed anchor published outside the database ({published.path.name} line {a.line})"


def _odd_records(conn: Connection, db_anchor: dict[date, tuple[int, str]], recorded: dict[date, tuple[int, str]],
                 signed: dict[date, tuple[str, int, str]]) -> list[tuple[date, str, int, str, str]]:
    """The records of a night's head that disagree with the night's other records *and* with the
    log, where the log agrees with another record of the same night: an altered anchor record, not
    an altered log (each night keeps up to three records of its head: the database's anchor, the
    summary's head and the signed file line).

    A valid signed line outranks the database's records: only the bureau's key writes it. Without
    one, the database's anchor and the summary are compared with the log: the one the log agrees
    with stands, the other is named — though a superuser who rewrote the log and one of the two
    records together looks the same (only the signed file tells those apart). Returns (night,
    label, seq, row_hash, the other records in words) of each odd record; none for a night when
    the log agrees with none of its records, or not with its signed line (then the walk names the
    decision: the log was rewritten)."""
    def records(n: date) -> list[tuple[str, int, str]]:
        out = [signed[n]] if n in signed else []
        out += [(_DB, *db_anchor[n])] if n in db_anchor else []
        return out + ([(_SUMMARY, *recorded[n])] if n in recorded else [])

    nights = sorted(n for n in set(db_anchor) | set(recorded) | set(signed)
                    if len({(q, h) for _, q, h in records(n)}) > 1)
    if not nights:
        return []
    seqs = sorted({q for n in nights for _, q, _ in records(n)})
    log = {int(q): str(h) for q, h in conn.execute(sqlfiles.statement("rosters/audit_row_hashes"), {"seqs": seqs})}
    odd: list[tuple[date, str, int, str, str]] = []
    for n in nights:
        rs = records(n)
        agree = [(q, h) for _, q, h in rs if log.get(q) == h]
        if not agree or (n in signed and signed[n][1:] not in agree):
            continue
        keep = signed[n][1:] if n in signed else agree[0]
        for label, q, h in rs:
            if (q, h) != keep:
                others = "; ".join(f"{lbl}: decision {oq}" for lbl, oq, oh in rs if (oq, oh) == keep)
                odd.append((n, label, q, h, others))
    return odd


def verify_chain(conn: Connection, published: AnchorFile | None = None, *, own_file: bool = True,
                 from_last_published: bool = False, walk_upto: int | None = None) -> ChainReport:
    """Walk the chain; ``ok`` only when every link, hash, number and anchor holds — the anchors in
    the database, the heads the nights recorded and, when given, the anchor file ``published``
    outside the database (read and checked by :func:`credit.rosters.anchors.read_anchors`).

    Each record of a head is first checked on its own, so that an altered record is named rather
    than the log (contracts.md §2: the first broken link is named, and only a broken link is one):
    a file line whose signature does not verify is no head at all, and a night's records that
    disagree are compared with the log (:func:`_odd_records`).

    ``own_file``: ``published`` is this installation's own file (not a copy kept elsewhere, which
    may be older): it must hold every line the nights' publications recorded (``night_runs.summary
    .anchor_published``) — a missing, emptied or shortened file fails. A copy that lacks recorded
    lines is only warned about.

    ``from_last_published`` (the nightly publication, :func:`credit.rosters.anchors.publish_anchors`):
    walk only the decisions after the file's last head, starting from that head's hash — what it
    covers was verified when it was signed; the 文号 runs are not checked then.

    ``walk_upto`` (with it): walk no further than this decision; the decisions after it are the
    ones the nights being anchored appended in their own publishing transactions moments ago, and
    only their heads are compared with the stored hashes. The walk then covers what an officer
    recorded between two nights, the part a forger could rewrite before it is anchored, at the
    cost of those few rows: walking a 1 M first night's 181,065 decisions in Python took 25 s of
    CPU (68 s on the loaded machine, ``credit audit verify`` on the benchmark's home)."""
    heads: dict[int, list[_Head]] = defaultdict(list)
    n_anchors = n_recorded = 0
    db_anchor: dict[date, tuple[int, str]] = {}
    db_rows = [(night, int(seq), str(row_hash)) for night, seq, row_hash in conn.execute(sa.text(
        "select night, seq, row_hash from roster_chain_anchors order by id"))]
    for night, seq, row_hash in db_rows:
        db_anchor[night] = max(db_anchor.get(night, (0, "")), (seq, row_hash))
        n_anchors += 1
    recorded: dict[date, tuple[int, str]] = {}
    for night, seq, row_hash in conn.execute(sqlfiles.statement("rosters/audit_recorded_heads")):
        recorded[night] = (int(seq), str(row_hash))
        n_recorded += 1
    record_problems: list[str] = []     # what is wrong with the records of the heads, not with the log
    warnings: list[str] = []
    n_published = 0
    signed: dict[date, tuple[str, int, str]] = {}
    if published is not None:
        n_published = len(published.anchors)
        signed = {a.night: (_file_label(published, a), a.seq, a.row_hash) for a in published.anchors if a.signed}
        record_problems += published.problems
        record_problems += _published_lines_problems(conn, published, own_file, warnings)
        record_problems += _deleted_records(conn, published, db_anchor)
    odd = _odd_records(conn, db_anchor, recorded, signed)
    for night, label, seq, row_hash, others in odd:
        record_problems.append(
            f"{night.isoformat()} 夜的锚点记录被改动，决定日志未被改动 (night {night.isoformat()}: {label} — decision "
            f"{seq}, hash {row_hash[:12]}… — differs from {others}, which the log agrees with: that record was "
            "altered, not the log)")
    skip = {(n, lbl, q, h) for n, lbl, q, h, _ in odd}
    for night, seq, row_hash in db_rows:
        if (night, _DB, seq, row_hash) not in skip:
            heads[seq].append(_Head("anchored by night", night, row_hash))
    for night, (seq, row_hash) in recorded.items():
        if (night, _SUMMARY, seq, row_hash) not in skip:
            heads[seq].append(_Head("recorded in the summary of night", night, row_hash))
    mismatched: list[tuple[int, str, date | None]] = []   # in-database anchors that differ from the published
    if published is not None:
        for a in published.anchors:
            if not a.signed:
                continue      # not ours (or altered): named among the file's problems, never held against the log
            heads[a.seq].append(_Head(f"published outside the database ({published.path.name} line {a.line}) "
                                      "by night", a.night, a.row_hash))
            mine = db_anchor.get(a.night)
            if mine is not None and mine != (a.seq, a.row_hash) and (a.night, _DB, *mine) not in skip:
                mismatched.append((min(a.seq, mine[0]), f"the database's anchor of night {a.night.isoformat()} "
                                 f"(decision {mine[0]}) differs from the head published outside the database "
                                 f"(decision {a.seq}, {published.path.name} line {a.line}): the anchors were rewritten",
                                 a.night))
        in_file = {a.night for a in published.anchors}
        unpublished = sorted(n for n in db_anchor if n not in in_file
                             and (not published.anchors or n > published.anchors[-1].night))
        if unpublished:
            warnings.append(f"{len(unpublished)} night(s) anchored in the database are not yet in "
                            f"{published.path} (from {unpublished[0].isoformat()}): run `credit audit publish`")
        if not published.exists and db_anchor and not record_problems:
            warnings.append(f"no anchor file at {published.path}: only the anchors inside the database were checked")

    def first_night_covering(seq: int) -> date | None:
        """The night that published decision ``seq``: the earliest night whose head is at or after it
        (later nights that recorded the same head only repeated it)."""
        return min((h.night for s, lst in heads.items() if s >= seq for h in lst), default=None)

    checked = 0
    last_seq, last_hash = 0, GENESIS
    good: tuple[int, date] | None = None     # the last head that still matched: where a rewrite starts after
    problems: list[tuple[int, str, date | None]] = []
    start = published.anchors[-1] if from_last_published and published is not None and published.anchors else None
    if start is not None:
        last_seq, last_hash, good = start.seq, start.row_hash, (start.seq, start.night)
        stored: dict[int, str] = dict(conn.execute(sqlfiles.statement("rosters/audit_row_hashes"), {"seqs": [start.seq]}).all())
        if stored.get(start.seq) != start.row_hash:
            problems.append((start.seq, f"hash differs from the head {heads[start.seq][-1].source} "
                                        f"{start.night.isoformat()} (the chain was rewritten, or the decision removed)",
                             start.night))
    walk_broke = bool(problems)
    upto = walk_upto if from_last_published else None
    result = conn.execution_options(stream_results=True, yield_per=20000).execute(sa.text(_ROWS),
                                                                                  {"after": last_seq, "upto": upto})
    for m in result.mappings() if not walk_broke else ():
        seq = int(m["seq"])
        checked += 1
        found: str | None = None
        night_of: date | None = None
        if seq != last_seq + 1:
            missing = f"{last_seq + 1}" if seq == last_seq + 2 else f"{last_seq + 1}–{seq - 1}"
            found = f"gap in the log before this decision (decision {missing} missing: a decision was removed)"
            night_of = first_night_covering(last_seq + 1)
        elif _sha(canonical_text(dict(m))) != m["content_hash"]:
            found = "content changed (hash of the row, recomputed in Python, differs from the stored hash)"
        elif m["db_recomputed"] != m["content_hash"]:
            found = "the database's canonical function no longer reproduces the stored hash (function altered?)"
        elif m["prev_hash"] != last_hash:
            found = "link broken (prev_hash differs from the previous decision's hash)"
        elif m["row_hash"] != _sha(m["prev_hash"] + m["content_hash"]):
            found = "row hash does not match prev_hash + content hash"
        else:
            for h in sorted(heads.get(seq, ()), key=lambda h: ("outside" not in h.source, h.night)):
                if h.row_hash != m["row_hash"]:
                    since = (f"; the last head that still matches is decision {good[0]} of night {good[1].isoformat()}, "
                             f"so a decision from {good[0] + 1} to {seq} was altered" if good else
                             f"; a decision from 1 to {seq} was altered")
                    found = (f"hash differs from the head {h.source} {h.night.isoformat()} "
                             f"(the chain was rewritten{since})")
                    night_of = h.night
                    break
            else:
                if seq in heads:
                    good = (seq, max(h.night for h in heads[seq]))
        if found:
            problems.append((seq, found, night_of))
            walk_broke = True
            break
        last_seq, last_hash = seq, m["row_hash"]
    result.close()
    if not walk_broke and upto is not None:
        # The nights' own rows, not walked: each head beyond the walk must still be the stored row.
        ahead = sorted(s for s in heads if s > last_seq)
        stored = dict(conn.execute(sqlfiles.statement("rosters/audit_row_hashes"), {"seqs": ahead}).all()) if ahead else {}
        for s_ in ahead:
            if s_ not in stored:
                break          # removed: the missing decisions are named below
            wrong = next((h for h in heads[s_] if h.row_hash != stored[s_]), None)
            if wrong is not None:
                problems.append((s_, f"hash differs from the head {wrong.source} {wrong.night.isoformat()} "
                                     "(the chain was rewritten)", wrong.night))
                walk_broke = True
                break
            last_seq = s_
    if not walk_broke:
        beyond = [(h.night, s, h.source) for s, lst in heads.items() if s > last_seq for h in lst]
        if beyond:
            # Named by the first night that published a missing decision (its head covers it), with
            # the highest head any night recorded as the end of what is missing.
            night, s, source = min(beyond, key=lambda b: (b[0], b[1], "outside" not in b[2]))
            top = max(b[1] for b in beyond)
            problems.append((last_seq + 1, f"decisions {last_seq + 1}–{top} are missing: the head {source} "
                                           f"{night.isoformat()} is decision {s}, the log ends at {last_seq} "
                                           "(the last decisions were removed)", night))
    if start is None:
        no = conn.execute(sqlfiles.statement("rosters/audit_numbers")).scalar()
        if no is not None:
            problems.append((int(no), "gap in the document numbers (文号) of its authority and year", None))

    def report(seq: int | None = None, problem: str | None = None, night: date | None = None) -> ChainReport:
        if night is None and seq is not None:
            night = first_night_covering(seq)
        return ChainReport(problem is None, checked, seq, problem, anchors=n_anchors, broken_night=night,
                           published=n_published, recorded=n_recorded, warnings=tuple(warnings))

    if problems or mismatched:
        # At the same decision, the walk's finding (what was altered, since which head) says more.
        return report(*min(problems + mismatched, key=lambda p: p[0]))
    if record_problems:
        # The log holds against every record left to trust; a record itself was altered, removed or
        # is not signed by our key: named, the log not blamed.
        more = f" (and {len(record_problems) - 1} more)" if len(record_problems) > 1 else ""
        return report(None, record_problems[0] + more)
    return report()


def _deleted_records(conn: Connection, published: AnchorFile, db_anchor: dict[date, tuple[int, str]]) -> list[str]:
    """The records inside the database that a night published outside it must have and lacks: its
    anchor (``roster_chain_anchors``, from which the publication took the signed line) and its run
    record (``night_runs``, committed with the anchor). Each signed line names a night that had
    both; one gone was deleted — an altered record is named by the comparison of the heads, a
    deleted one has nothing to compare."""
    ran = {n for (n,) in conn.execute(sqlfiles.statement("rosters/audit_nights_run"))}
    out: list[str] = []
    for a in published.anchors:
        if not a.signed:
            continue
        where = f"{published.path.name} line {a.line}"
        if a.night not in db_anchor:
            out.append(f"{a.night.isoformat()} 夜的数据库锚点缺失 (night {a.night.isoformat()}: {_DB} is missing, "
                       f"though the signed anchor published outside the database ({where}) names it: the row was deleted)")
        if a.night not in ran:
            out.append(f"{a.night.isoformat()} 夜的运行记录缺失 (night {a.night.isoformat()}: its run record (night_runs) is "
                       f"missing, though the signed anchor published outside the database ({where}) names it: the "
                       "night's record was deleted)")
    return out


def _published_lines_problems(conn: Connection, published: AnchorFile, own_file: bool, warnings: list[str]) -> list[str]:
    """Whether the anchor file still holds every line the nights' publications recorded writing
    (``night_runs.summary.anchor_published``, :func:`credit.rosters.anchors.append_missing_anchors`):
    the highest recorded line must be in the file with the same SHA-256. Catches a deleted, emptied
    or shortened file, or one replaced by another; not a superuser who also removes the records
    from the summaries (then only a copy of the file kept elsewhere tells: ``--anchors``)."""
    top = conn.execute(sqlfiles.statement("rosters/audit_published_lines")).first()
    if top is None:
        return []      # nothing published yet (a new installation), or published before the records were kept
    night, line, digest = top[0], int(top[1]), str(top[2])
    have = len(published.anchors)
    if have >= line:
        if published.anchors[line - 1].digest != digest:
            return [f"锚点文件第 {line} 行与发布时不同 ({published.path.name} line {line} is not the line published for "
                    f"night {night.isoformat()} (its SHA-256 differs from the one the night's summary recorded): the "
                    "file was replaced or rewritten)"]
        return []
    gone = f"line {line} was" if have + 1 == line else f"lines {have + 1}–{line} were"
    what = (f"锚点文件缺失：已发布 {line} 行（最后一行为 {night.isoformat()} 夜），请从别处保存的副本恢复 "
            f"(anchor file missing: {published.path} does not exist, but {line} line(s) were published, the last for "
            f"night {night.isoformat()} — restore it from a copy kept elsewhere)" if not published.exists else
            f"锚点文件被截短：现有 {have} 行，已发布 {line} 行（最后一行为 {night.isoformat()} 夜） (anchor file "
            f"truncated: {published.path} has {have} line(s), but {line} were published, the last for night "
            f"{night.isoformat()}: {gone} removed)")
    if own_file:
        return [what]
    warnings.append(f"the copy {published.path} lacks published lines, only its own lines were checked: {what}")
    return []


def audit_log(engine: Engine, settings: Settings, anchors: Path | None = None,
              public_key: Ed25519PublicKey | None = None) -> ChainReport:
    """The whole check ``credit audit verify`` makes, and the scheduled audit after each published
    night (``dags/credit_audit.py``): the full walk of the decision log (:func:`verify_chain`, not
    only what follows the last published head) against the anchors in the database, the heads the
    nights recorded and the signed anchor file — ``anchors`` (a copy kept elsewhere, which may be
    older; default: this installation's ``<publication>/anchors.jsonl``), verified with
    ``public_key`` (default: this installation's key) and the keys the bureau's keyring chains to it
    (``<publication>/signing-keys.jsonl``, :mod:`credit.keyring`: lines signed before a rotation
    verify with the key of their time; a keyring that does not verify is named as the file's problem).

    Raises OSError when the anchor file cannot be read (a copy given by name must exist),
    :class:`credit.signing.SigningKeyError` when this installation's key cannot be loaded, and
    SQLAlchemy's OperationalError when the database cannot be reached: none of them is a broken
    chain, each means the log could not be checked."""
    from credit.keyring import keyring_for
    from credit.rosters.anchors import anchor_path, anchored_lines, read_in_snapshot

    keys = keyring_for(settings, public_key)
    path = anchors or anchor_path(settings)
    # One snapshot of the database, taken with the file read while no publication appends to it:
    # a night published in between is neither a shortened file nor a cut log.
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        published = read_in_snapshot(path, keys, conn)
        published.problems[:0] = keys.problems
        if anchors is not None and not published.exists:
            raise FileNotFoundError(2, "No such file or directory", str(anchors))
        # A copy given with --anchors may be older than the installation's own file: lines it lacks
        # are warned about; the own file must hold every line the nights recorded publishing.
        report = verify_chain(conn, published, own_file=anchors is None)
    # Keyring lines added since the last anchor: nothing outside the folder records them yet.
    note = keys.unanchored(anchored_lines(published, keys)) if not keys.problems else None
    return replace(report, warnings=(*report.warnings, note)) if note else report
