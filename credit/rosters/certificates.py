"""Screening certificates (联合惩戒核查凭证): a screening answer that can be filed and re-checked.

A procurement or bank officer screens suppliers "as of the bid date" (domain.md §10; 财库〔2016〕
125号: buyers check and keep the result). Each answer is issued as a certificate carrying

- the query (the USCCs, in the order asked) and the as-of date,
- the data version: the decision log's head at issuance (``seq`` and its chained ``row_hash``,
  migration 0002) and the latest published night,
- the answers: per USCC whether it was on a roster that day and why (cause, basis, 文号,
  authority, inclusion and removal dates, and whether a removal was by credit repair),
- a digest: SHA-256 of the canonical JSON of everything above,
- a signature: Ed25519 by the bureau's key over the canonical JSON of everything else
  (:mod:`credit.signing`), so that a bank verifies a certificate **offline** with the published
  public key alone: ``credit verify-signature cert.json --public-key signing-key.pem``.

Anyone can later re-check a certificate (:func:`verify_certificate`, ``POST
/v1/certificates/verify``, ``credit certificate verify FILE``): the digest must match the
content and be one this bureau issued (``screening_certificates``: a digest anyone can
recompute after changing a field proves nothing by itself), the log must still hold the anchored decision with the same hash, and folding the log
for the same date must give the same answers. If decisions recorded *after* the certificate
(e.g. a listing revoked as wrong) changed the answer for that date, the certificate is reported
``superseded`` — it was a true copy of the log when issued — rather than ``invalid``.

The answers are a fold of the rosters' own log function (``roster_entry_detail_as_of``); nothing
here re-decides a roster.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.rosters.env import shown_reasons
from credit.rosters.known import (
    KnownAt,
    NoNightPublished,
    before_data_problem,
    first_night,
    fold,
    known_at,
    params,
)
from credit.rosters.registration import status_as_of, status_changes, status_statement
from credit.signing import Signer

FORMAT = "credit-screening-certificate/1"
# A result's registration data (not roster facts): signed, not re-checked against the log; a
# certificate issued before a field was added lacks it and still verifies.
REGISTRATION_FIELDS = ("name", "registered", "established_on", "registration_status", "registration_status_label",
                       "registration_status_on")
ENTRY_FIELDS = ("roster", "cause_code", "cause", "basis", "included_on", "decision_no", "authority", "state",
                "removed_on", "removal_reason", "removal_no", "removal_kind", "removal_by_repair")


def canonical(doc: Any) -> bytes:
    """Canonical bytes: JSON, keys sorted, no spaces, UTF-8 (the digest is over these bytes)."""
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def digest_of(doc: dict[str, Any]) -> str:
    """``sha256:<hex>`` of a certificate without ``digest``, ``certificate_id`` (derived from it) and
    ``signature`` (over all the rest)."""
    body = {k: v for k, v in doc.items() if k not in ("digest", "certificate_id", "signature")}
    return "sha256:" + hashlib.sha256(canonical(body)).hexdigest()


class DataVersion(TypedDict):
    """What an answer was read from: the decision log's head and the latest published night."""

    decision_seq: int              # 0 while the log is empty
    decision_hash: str | None      # the head's chained row_hash
    night: str | None


def data_version(conn: Connection) -> DataVersion:
    """The decision log's head and the latest published night."""
    return version_of(conn.execute(sqlfiles.statement("rosters/data_version")).mappings().one())


def version_of(head: Mapping[Any, Any]) -> DataVersion:
    """The data version in a row with the log head's ``seq`` and ``row_hash`` and the latest ``night``."""
    night = head["night"]
    return {"decision_seq": int(head["seq"]) if head["seq"] is not None else 0, "decision_hash": head["row_hash"],
            "night": night.isoformat() if night else None}


def latest_data_date(conn: Connection, version: DataVersion | None = None) -> date | None:
    """The last day the data speaks for: the latest published night, else the latest decision.
    ``version``: the data version the caller already read (its night spares a query)."""
    night: date | None
    if version is not None:
        night = date.fromisoformat(version["night"]) if version["night"] else None
    else:
        night = conn.execute(sa.text("select max(night) from night_runs")).scalar()
    if night is not None:
        return night
    decided: date | None = conn.execute(sa.text("select max(decision_date) from roster_decisions")).scalar()
    return decided


def _iso(d: Any) -> str | None:
    return d.isoformat() if isinstance(d, date) else None


def removal_kind(action: str | None, request_id: Any) -> str | None:
    """How an entry left the roster: ``repair`` (on application, 信用修复), ``revoked`` (listing
    withdrawn as wrong, domain.md §3.4), ``removed`` (automatic, e.g. the serious list's period full)."""
    if action is None:
        return None
    if action == "revoke":
        return "revoked"
    return "repair" if request_id is not None else "removed"


def entries_as_of(conn: Connection, usccs: Sequence[str], as_of: date,
                  known: KnownAt | None = None, *, worded: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Every roster entry of the given entities as it stood on ``as_of`` (one query for all), from the
    log as it stood after night ``known`` when given. ``worded`` False: each removal_reason as the
    decision stored it, as answers gave it before old revocations were worded when read
    (:func:`credit.rosters.env.shown_reasons`), for :func:`verify_certificate` only."""
    rows = conn.execute(fold("rosters/entries_for_screening", known),
                        {"d": as_of, "u": list(usccs), **params(known)}).mappings().all()
    out: dict[str, list[dict[str, Any]]] = {}
    stored = [r["removal_reason"] for r in rows]
    reasons = shown_reasons(stored, [r["removal_note_version"] for r in rows]) if worded else stored
    for r, reason in zip(rows, reasons, strict=True):  # the asked entities' rows only (≤ a few each), not the whole roster
        kind = removal_kind(r["removal_action"], r["removal_request"])
        out.setdefault(r["uscc"], []).append({
            "entry_id": int(r["entry_id"]), "roster": r["roster"], "cause_code": r["cause_code"], "cause": r["cause"],
            "basis": r["basis"], "included_on": _iso(r["included_on"]), "decision_no": r["decision_no"],
            "authority": r["authority_name"], "state": r["state"], "removed_on": _iso(r["removed_on"]),
            "removal_reason": reason, "removal_no": r["removal_no"], "removal_kind": kind,
            "removal_by_repair": kind == "repair", "effective_until": _iso(r["effective_until"]),
        })
    return out


def screen(conn: Connection, usccs: Sequence[str], as_of: date, known: KnownAt | None = None, *,
           worded: bool = True) -> list[dict[str, Any]]:
    """Per USCC (in the order given): registered name, whether registered and whether listed on
    ``as_of`` and every entry (``worded``: see :func:`entries_as_of`). ``registered`` is of the day
    asked: false before the entity's establishment (成立日期, ``established_on``), though the
    store knows it now — a screening as of a bid date before the company existed said it was
    registered then."""
    if known is None:
        rows = conn.execute(status_statement("rosters/screening_names"), {"u": list(usccs)}).mappings().all()
    else:   # the register as the store held it after night K (contracts.md §2): a later entity is unknown then
        rows = conn.execute(status_statement("rosters/registration_known"),
                            {"u": list(usccs), "kn": known.night}).mappings().all()
    names: dict[str, str] = {r["uscc"]: r["name"] for r in rows}
    since: dict[str, date | None] = {r["uscc"]: r["established_on"] for r in rows}
    changes = {r["uscc"]: status_changes(r) for r in rows}
    entries = entries_as_of(conn, usccs, as_of, known, worded=worded)
    # Not registered (then): an entity dropped by a later full snapshot is still named by the last
    # name the store held (contracts.md §1, §2), as the entity look-up and the export name it.
    unnamed = [u for u in usccs if u not in names]
    last: dict[str, str] = dict(conn.execute(sqlfiles.statement("rosters/last_names"),
                                             {"u": unnamed, "kn": known.night if known else None}).all()) if unnamed else {}
    out = []
    for u in usccs:
        es = [{k: e[k] for k in ENTRY_FIELDS} for e in entries.get(u, [])]
        established = since.get(u)
        registered = u in names and (established is None or established <= as_of)
        # the registration status on as_of (revoked, cancelled, moved out before it), None when not registered
        status = status_as_of(changes[u], as_of) if registered else None
        out.append({"uscc": u, "name": names.get(u, last.get(u)),
                    "registered": registered,
                    "established_on": _iso(established),
                    "registration_status": status["registration_status"] if status else None,
                    "registration_status_label": status["registration_status_label"] if status else None,
                    "registration_status_on": status["registration_status_on"] if status else None,
                    "listed": any(e["state"] == "listed" for e in es),
                    "rosters_listed": sorted({e["roster"] for e in es if e["state"] == "listed"}),
                    "entries": es})
    return out


class NotCertifiable(ValueError):
    """A certificate asked for a day the record does not cover (:func:`uncertifiable`); the API answers 422."""


def uncertifiable(as_of: date, first: date | None, latest: date | None, known: KnownAt | None) -> str | None:
    """None when the record can certify ``as_of``, else why not (Chinese, then English).

    A certificate says what the record held on ``as_of``; it certifies only days the record covers
    (domain.md §10: an "as of" answer needs our own history):

    - not before the first published night ``first``: the rosters before it are unknown to the
      system, not empty — a "listed: false" would certify a clean record nobody kept;
    - not after the latest data ``latest``: what has not happened yet cannot be certified;
    - with ``known_at``, not after that record's night ``known.night``: the record as it stood
      after night K does not cover a later day, whatever later nights recorded."""
    if (problem := before_data_problem(as_of, first, "as_of")) is not None:
        return problem
    if latest is not None and as_of > latest:
        return (f"as_of {as_of} 晚于最新数据日期 {latest}：无法证明尚未发生的情况 "
                f"(as_of is after the latest published data, {latest})")
    if known is not None and as_of > known.night:
        return (f"as_of {as_of} 晚于所依据记录的批次 {known.night}（known_at）：该批次后的记录未覆盖这一天，无法证明 "
                f"(as_of is after the night {known.night} of the record asked for by known_at: that record does "
                "not cover it)")
    return None


def issue(conn: Connection, usccs: Sequence[str], as_of: date, *, issuer: str, issued_at: datetime,
          config_version: str, key_id: int | None = None, known_night: date | None = None,
          signer: Signer | None = None) -> dict[str, Any]:
    """Screen and issue a certificate; records it in ``screening_certificates``; signed by ``signer``.

    ``known_night``: answer from the log as it stood after that night (record time); the query then
    carries ``known_at``, and a re-check folds the same prefix, so such a certificate never becomes
    superseded."""
    version = data_version(conn)
    known = known_at(conn, known_night)
    problem = uncertifiable(as_of, first_night(conn), latest_data_date(conn, version), known)
    if problem is not None:
        raise NotCertifiable(problem)
    query: dict[str, Any] = {"usccs": list(usccs), "as_of": as_of.isoformat()}
    if known is not None:
        query["known_at"] = known.as_dict()
    doc: dict[str, Any] = {
        "format": FORMAT, "issuer": issuer, "issued_at": issued_at.isoformat(timespec="seconds"),
        "query": query, "as_of": as_of.isoformat(),
        "data_version": version, "results": screen(conn, usccs, as_of, known),
    }
    doc["digest"] = digest_of(doc)
    doc["certificate_id"] = "SC-" + doc["digest"].removeprefix("sha256:")[:24].upper()
    if signer is not None:
        doc = signer.sign_document(doc)
    conn.execute(sqlfiles.statement("rosters/insert_certificate"),  # once per id (see the file)
        {"i": doc["certificate_id"], "d": doc["digest"], "t": issued_at, "a": as_of, "n": len(usccs),
         "v": json.dumps(version), "k": key_id, "cv": config_version})
    return doc


@dataclass
class Verification:
    """The outcome of re-checking a certificate. ``verdict``: valid / superseded / invalid."""

    verdict: str
    digest_ok: bool
    issued_here: bool
    anchor_ok: bool
    answers_ok: bool
    differences: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "valid": self.ok, "digest_ok": self.digest_ok,
                "issued_here": self.issued_here, "anchor_ok": self.anchor_ok, "answers_ok": self.answers_ok,
                "differences": self.differences, "reasons": self.reasons}


class MalformedCertificate(ValueError):
    """The document is not a screening certificate of this format."""


def _comparable(result: dict[str, Any]) -> dict[str, Any]:
    # The registered name, its establishment date, its registration status and whether the store
    # knows the entity may change after issuance (a rename, a registration, a status or its
    # correction, or a drop delivered by a later night is not a roster fact); they are
    # covered by the digest but not re-checked against the log. Re-checked, an unregistered code
    # screened clean made its certificate "invalid" (answers do not match the decision log) on
    # the night the entity was registered, though no decision had changed.
    return {k: v for k, v in result.items() if k not in REGISTRATION_FIELDS}


def _known_of(raw: Any) -> KnownAt | None:
    """The record date a certificate was answered at (``query.known_at``), as it was stated then."""
    if raw is None:
        return None
    night = _read(raw, ("night",), _day, "query.known_at")
    seq = _read(raw, ("decision_seq",), int, "query.known_at")
    request = raw.get("request_id") if isinstance(raw, dict) else None
    return KnownAt(night, seq, None if request is None else _read(raw, ("request_id",), int, "query.known_at"))


def _day(value: Any) -> date:
    return date.fromisoformat(str(value))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _items(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(value)
    return list(value)


# What each field of a certificate must be, in Chinese and English (unreadable-field refusals).
_KINDS: dict[Any, tuple[str, str]] = {_day: ("日期（年-月-日）", "a date YYYY-MM-DD"), int: ("整数", "an integer"),
                                      _text: ("字符串", "a string"), _items: ("列表", "a list"),
                                      dict: ("对象", "an object")}


def _read(doc: Any, path: tuple[str, ...], kind: Any, within: str = "") -> Any:
    """``doc[path…]`` read as ``kind``, else :class:`MalformedCertificate` naming the field and what
    it must be — in Chinese and English, never Python's exception text (a consumer reads this
    refusal; the house style of the public answers, docs/api.md)."""
    name = ".".join(((within,) if within else ()) + path)
    value = doc
    try:
        for key in path:
            if not isinstance(value, dict):
                raise TypeError(value)
            value = value[key]
        if kind is dict:
            if not isinstance(value, dict):
                raise TypeError(value)
            return value
        return kind(value)
    except (KeyError, TypeError, ValueError):
        zh, en = _KINDS[kind]
        missing = isinstance(value, dict) and path and path[-1] not in value
        raise MalformedCertificate(
            f"证书缺少字段 {name} ({name} is missing)" if missing else
            f"证书字段 {name} 无法读取：应为{zh} (certificate field {name} is not readable: it must be {en})") from None


def verify_certificate(conn: Connection, doc: Any) -> Verification:
    """Re-check a certificate against the decision log (see the module docstring)."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise MalformedCertificate(f"不是本系统的筛查证书：format 应为 {FORMAT} "
                                   f"(not a screening certificate: format must be {FORMAT!r})")
    as_of = _read(doc, ("as_of",), _day)
    usccs = [str(u) for u in _read(doc, ("query", "usccs"), _items)]
    version = _read(doc, ("data_version",), dict)
    seq = _read(doc, ("data_version", "decision_seq"), int)
    results = _read(doc, ("results",), _items)
    claimed = _read(doc, ("digest",), _text)
    if doc.get("certificate_id") != "SC-" + claimed.removeprefix("sha256:")[:24].upper():
        raise MalformedCertificate("证书编号 certificate_id 与摘要不对应 (certificate_id does not belong to the digest)")
    reasons: list[str] = []
    digest_ok = digest_of(doc) == claimed
    if not digest_ok:
        reasons.append("摘要不符：证书内容在签发后被改动 (digest does not match the content)")
    if str(doc.get("query", {}).get("as_of")) != doc.get("as_of"):
        digest_ok = False
        reasons.append("查询日期与证书日期不一致 (query.as_of differs from as_of)")
    issued_here = bool(conn.execute(sa.text("select 1 from screening_certificates where digest = :d"),
                                    {"d": claimed}).scalar())
    if not issued_here:
        reasons.append("本系统没有签发该摘要的记录 (no certificate with this digest was issued here)")
    # The anchor: the decision at the certificate's head must still be in the log, unchanged, and
    # its stored hash must be the hash of its content chained to its predecessor.
    if seq == 0:
        anchor_ok = version.get("decision_hash") is None
    else:
        row = conn.execute(sqlfiles.statement("rosters/recompute_decision_hash"), {"s": seq}).mappings().first()
        anchor_ok = row is not None and row["row_hash"] == version.get("decision_hash") == row["recomputed"]
    if not anchor_ok:
        reasons.append(f"决定日志第{seq}条与证书记载的哈希不符 (log entry {seq} does not carry the certificate's hash)")
    known = _known_of(doc.get("query", {}).get("known_at"))
    if known is not None:
        try:
            anchored = known_at(conn, known.night)
            anchored_seq = anchored.seq if anchored is not None else None
        except NoNightPublished:
            anchored_seq = 0   # nothing was on record before the first night (as issued then)
        if anchored_seq != known.seq:
            anchor_ok = False
            reasons.append(f"证书所称 {known.night.isoformat()} 批次后的决定日志末条（第{known.seq}条）与锚点不符 "
                           "(the log head the certificate names for its known_at night is not the anchored one)")
    current = screen(conn, usccs, as_of, known)
    given = {str(r.get("uscc")): _comparable(r) for r in results if isinstance(r, dict)}
    # A certificate issued before old revocations were worded when read (an upheld objection's
    # revocation recorded with the officer's note as its reason, credit.rosters.env.shown_reasons)
    # carries the stored reason, as the log then answered: no decision changed, so it still matches.
    unworded = [r["uscc"] for r in current if given.get(r["uscc"]) != _comparable(r)]
    as_stored = {r["uscc"]: _comparable(r) for r in screen(conn, unworded, as_of, known, worded=False)} \
        if unworded else {}
    differences = []
    for r in current:
        if given.get(r["uscc"]) != _comparable(r) and given.get(r["uscc"]) != as_stored.get(r["uscc"]):
            differences.append({"uscc": r["uscc"], "certificate": given.get(r["uscc"]), "log": _comparable(r)})
    if len(given) != len(current) or set(given) != {r["uscc"] for r in current}:
        differences.append({"uscc": None, "certificate": sorted(given), "log": [r["uscc"] for r in current]})
    answers_ok = not differences
    superseded = False
    # The digest is plain SHA-256: anyone can change a certificate and recompute it. Only one this
    # bureau issued (its digest recorded in screening_certificates) can be valid or superseded.
    if differences and digest_ok and anchor_ok and issued_here:
        diff_usccs = [d["uscc"] for d in differences if d["uscc"]]
        later = conn.execute(sa.text(
            "select seq, uscc, action, decision_date from roster_decisions "
            "where seq > :s and uscc = any(:u) and decision_date <= :d order by seq"),
            {"s": seq, "u": diff_usccs, "d": as_of}).mappings().all()
        changed = {r["uscc"] for r in later}
        superseded = bool(diff_usccs) and set(diff_usccs) <= changed
        for d in differences:
            d["later_decisions"] = [int(r["seq"]) for r in later if r["uscc"] == d["uscc"]]
        reasons.append("签发后记录的决定改变了该日期的答复 (decisions recorded after issuance change the "
                       "answer for that date)" if superseded else
                       "答复与决定日志不符 (the answers do not match the decision log)")
    if digest_ok and anchor_ok and answers_ok and issued_here:
        verdict = "valid"
    elif superseded:
        verdict = "superseded"
    else:
        verdict = "invalid"
    return Verification(verdict, digest_ok, issued_here, anchor_ok, answers_ok, differences, reasons)
