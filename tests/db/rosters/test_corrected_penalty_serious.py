"""A heavier penalty (较重行政处罚) re-delivered by a later drop naming another entity (an outsider's
list, case 1). contracts.md §1: ``penalties`` is keyed by ``case_no``, so the 07-10 row replaces the
stored one — a correction, as for a finding (test_corrected_finding.py).

Case P named A on 07-01: proposed and noticed that night, listed on the serious list on 07-09
when the statement window (5 WD, 07-08) had run out (a bureau with automatic listing). Case Q named
A on 07-09: proposed and noticed, still in its window. On 07-10 both name B.

A's serious-list decisions on P and Q no longer have their basis (domain.md §4: the listing is
decided in the procedure of the penalty; 45号令 art. 11, §6: the penalty decision was changed): the
listing ends by a numbered revocation (撤销) naming its entry, Q's pending procedure by the
revocation of its proposal — never an update or a deletion. B is decided on its own: its own
proposal and notice for each case, under fact keys of its own (A's keep theirs). Before the fix A
stayed listed on a penalty that no longer names it, and B was never proposed: the case's
proposal key was held by A's procedure.

The nights run through ``credit nightly`` (incremental); a second database runs the same drops in
full nights, each in two region partitions, and must hold the same log, anchors and grades.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.cli.main import app
from credit.night.steps import run_night
from credit.rosters.known import known_at
from credit.rosters.read import entity_rosters
from credit.settings import Settings, bundled
from tests.db.rosters.helpers import decisions
from tests.dropkit import code, csv_file, registration_row, write_night
from tests.fingerprints import fingerprints

N1, N2, N3 = date(2026, 7, 1), date(2026, 7, 9), date(2026, 7, 10)
A = code(region="330106", body="MA2B3K01")   # 杭州
B = code(region="330203", body="MA2B3K02")   # 宁波
P, Q = "杭西市监罚〔2026〕41号", "杭西市监罚〔2026〕42号"


def _penalty(case_no: str, uscc: str, decided_on: str) -> dict[str, str]:
    return {"case_no": case_no, "uscc": uscc, "decided_on": decided_on, "doc_no": case_no.replace("罚", "处罚"),
            "category": "food_safety", "measures": "fine", "fine_amount": "300000", "heavier": "true",
            "fulfilled_on": ""}


def _drops(drop: Path) -> None:
    regs = [registration_row(u, name=f"示例第{i}食品有限公司", legal_rep_hash=f"{i}d" * 32) for i, u in enumerate((A, B))]
    write_night(drop, N1, {"registration.csv": csv_file("registration", "full", regs),
                           "penalties.csv": csv_file("penalties", "delta", [_penalty(P, A, "2026-06-30")])})
    write_night(drop, N2, {"penalties.csv": csv_file("penalties", "delta", [_penalty(Q, A, "2026-07-08")])})
    # The correction: both cases, as decided, now name B.
    write_night(drop, N3, {"penalties.csv": csv_file("penalties", "delta",
                                                     [_penalty(P, B, "2026-06-30"), _penalty(Q, B, "2026-07-08")])})


@pytest.fixture()
def auto(tmp_path: Path) -> Path:
    """The bundled config with every family switched to automatic listing (as test_serious.py)."""
    cfg = tmp_path / "auto-config"
    shutil.copytree(bundled("config"), cfg)
    text = (cfg / "rosters.yaml").read_text(encoding="utf-8")
    old = "    default: [{from: 2021-09-01, automatic: false}]"
    assert old in text
    (cfg / "rosters.yaml").write_text(text.replace(old, old.replace("false", "true")), encoding="utf-8")
    return cfg


def _nightly(night: date, drop: Path) -> None:
    from credit.settings import get_settings
    get_settings.cache_clear()
    # 07-02 … 07-08 brought nothing: confirmed with --allow-gap (contracts.md §2)
    r = CliRunner().invoke(app, ["nightly", "--date", night.isoformat(), "--drop", str(drop), "--allow-gap"])
    assert r.exit_code == 0, r.output


def _serious(engine: Engine, uscc: str, as_of: date, known: date | None = None) -> list[str]:
    with engine.connect() as c:
        return [e["state"] for e in entity_rosters(c, uscc, as_of, known=known_at(c, known) if known else None)
                if e["roster"] == "serious"]


def _listed_on_p_and_proposed_on_q(engine: Engine, drop: Path) -> tuple[dict[str, Any], dict[str, Any], int]:
    """Nights N1 and N2: A listed on P, Q proposed for A; with the log's length after them."""
    _nightly(N1, drop)
    _nightly(N2, drop)
    with engine.connect() as c:
        (inc_a,) = decisions(c, action="include", roster="serious")
        (prop_q,) = [d for d in decisions(c, action="proposal") if d["fact_key"] == f"proposal:penalties:{Q}"]
        return inc_a, prop_q, len(decisions(c))


def test_a_penalty_corrected_to_name_another_entity_revokes_the_first_entitys_serious_list_decisions(
        tmp_path: Path, cli_env: Settings, second_settings: Settings, auto: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDIT_CONFIG_DIR", str(auto))
    drop = tmp_path / "drop"
    _drops(drop)
    engine = sa.create_engine(str(cli_env.database_url))
    other = sa.create_engine(str(second_settings.database_url))
    try:
        inc_a, prop_q, before = _listed_on_p_and_proposed_on_q(engine, drop)
        assert (inc_a["uscc"], inc_a["fact_key"], inc_a["decision_date"]) == (A, f"include:serious:penalties:{P}", N2)
        assert prop_q["uscc"] == A
        _nightly(N3, drop)
        with engine.connect() as c:
            scope = c.execute(sa.text("select summary -> 'scope' from night_runs where night = :n"), {"n": N3}).scalar_one()
            new = decisions(c)[before:]
            total = len(decisions(c))
        assert scope["mode"] == "incremental"
        # A: the listing on P ends by a revocation naming its entry; Q's proposal is revoked. Both are
        # numbered decisions of the correction's night, due 3 WD later (45号令 art. 11: Wed 07-15).
        rv = [d for d in new if d["action"] == "revoke"]
        assert sorted((d["uscc"], d["fact_key"], d["entry_id"], d["refers_to"]) for d in rv) == sorted([
            (A, f"close:{inc_a['seq']}", inc_a["seq"], inc_a["seq"]),
            (A, f"revoke:penalties:{Q}", None, prop_q["seq"])])
        # Each in the words of what happened: the penalty was corrected to name B, not revoked
        # (rules.yaml ser.revoke.penalty_reassigned; before, "行政处罚决定已被撤销").
        for d in rv:
            assert d["decision_no"] and d["rule_id"] == "ser.revoke.penalty_reassigned"
            assert (d["decision_date"], d["trigger_date"], d["due_date"]) == (N3, N3, date(2026, 7, 15))
            assert d["facts"]["penalty_now_names"] == B
            assert d["reason"] == "行政处罚决定经更正，当事人为其他主体，撤销列入"
            assert "经更正" in d["cause"] and "已被撤销" not in d["cause"] + d["reason"]
        # B: decided on its own, a proposal and a notice for each case under keys of its own.
        mine = sorted((d["action"], d["fact_key"]) for d in new if d["uscc"] == B)
        assert mine == sorted([("proposal", f"proposal:penalties:{P}:{B}"), ("notice", f"notice:penalties:{P}:{B}"),
                               ("proposal", f"proposal:penalties:{Q}:{B}"), ("notice", f"notice:penalties:{Q}:{B}")])
        for d in new:
            if d["uscc"] == B:
                assert d["facts"]["case_no"] in (P, Q) and d["decision_date"] == N3
                # proposed the night the store came to hold the penalty naming B (not from its first
                # night, when it named A) and noticed the same night: on time
                assert not d["late"] and (d["action"] == "notice" or d["due_date"] == N3)
        # A's listing is still in the log as it was; as of 07-09 A was listed, from 07-10 removed;
        # as known after night 07-09, 07-10 still shows A listed and nothing for B.
        with engine.connect() as c:
            (again,) = decisions(c, seq=inc_a["seq"])
        assert again == inc_a
        assert _serious(engine, A, N2) == ["listed"]
        assert _serious(engine, A, N3) == ["removed"]
        with engine.connect() as c:
            (entry,) = [e for e in entity_rosters(c, A, N3) if e["roster"] == "serious"]
        assert entry["removal_reason"] == "行政处罚决定经更正，当事人为其他主体，撤销列入"
        assert _serious(engine, A, N3, known=N2) == ["listed"]
        assert _serious(engine, B, N3) == []
        # Re-running the night changes nothing.
        _nightly(N3, drop)
        with engine.connect() as c:
            assert len(decisions(c)) == total
        # The same drops in full nights, each in two region partitions: the same log and grades.
        full = Settings(database_url=second_settings.database_url, home=second_settings.home, config_dir=auto)
        for night in (N1, N2, N3):
            run_night(drop, night, full, allow_gap=True, full=True, max_partitions=2)
        tables = ("roster_decisions", "roster_chain_anchors", "grade_ranges")
        ours, theirs = fingerprints(engine), fingerprints(other)
        assert {t: ours[t] for t in tables} == {t: theirs[t] for t in tables}
    finally:
        engine.dispose()
        other.dispose()


def test_a_penalty_corrected_back_and_forth_proposes_each_entity_again_under_a_key_of_its_own(
        tmp_path: Path, cli_env: Settings, second_settings: Settings) -> None:
    """Case Q names A (07-01), B (07-02), A again (07-03), B again (07-06). Each correction revokes
    the procedure of the entity named before (its basis is gone, 45号令 art. 11) and proposes the
    entity named now: a revoked procedure is no bar (A → B → A), so A is proposed anew under
    ``Q:<A>`` (its first key ``Q`` held by its revoked procedure) and B under ``Q:<B>:2``."""
    drop = tmp_path / "drop"
    n1, n2, n3, n4 = date(2026, 7, 1), date(2026, 7, 2), date(2026, 7, 3), date(2026, 7, 6)
    regs = [registration_row(u, name=f"示例第{i}食品有限公司", legal_rep_hash=f"{i}d" * 32) for i, u in enumerate((A, B))]
    write_night(drop, n1, {"registration.csv": csv_file("registration", "full", regs),
                           "penalties.csv": csv_file("penalties", "delta", [_penalty(Q, A, "2026-06-30")])})
    for night, uscc in ((n2, B), (n3, A), (n4, B)):
        write_night(drop, night, {"penalties.csv": csv_file("penalties", "delta", [_penalty(Q, uscc, "2026-06-30")])})
    engine = sa.create_engine(str(cli_env.database_url))
    other = sa.create_engine(str(second_settings.database_url))
    try:
        for night in (n1, n2, n3, n4):
            _nightly(night, drop)
        with engine.connect() as c:
            got = [(d["decision_date"], d["uscc"], d["action"], d["fact_key"]) for d in decisions(c)
                   if d["action"] in ("proposal", "revoke")]
            total = len(decisions(c))
        assert got == [(n1, A, "proposal", f"proposal:penalties:{Q}"),
                       (n2, A, "revoke", f"revoke:penalties:{Q}"),
                       (n2, B, "proposal", f"proposal:penalties:{Q}:{B}"),
                       (n3, B, "revoke", f"revoke:penalties:{Q}:{B}"),
                       (n3, A, "proposal", f"proposal:penalties:{Q}:{A}"),
                       (n4, A, "revoke", f"revoke:penalties:{Q}:{A}"),
                       (n4, B, "proposal", f"proposal:penalties:{Q}:{B}:2")]
        _nightly(n4, drop)
        with engine.connect() as c:
            assert len(decisions(c)) == total
        for night in (n1, n2, n3, n4):
            run_night(drop, night, second_settings, allow_gap=True, full=True, max_partitions=2)
        tables = ("roster_decisions", "roster_chain_anchors", "grade_ranges")
        ours, theirs = fingerprints(engine), fingerprints(other)
        assert {t: ours[t] for t in tables} == {t: theirs[t] for t in tables}
    finally:
        engine.dispose()
        other.dispose()


def test_a_penalty_a_full_snapshot_no_longer_holds_revokes_the_procedure_it_started(
        tmp_path: Path, cli_env: Settings, second_settings: Settings, auto: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Penalties delivered as full snapshots (contracts.md §1: a full file replaces the source's
    state). P named A on 07-01 and A was listed on 07-09 (automatic listing); Q named A on 07-09,
    proposed. The 07-10 snapshot holds Q only: P is no longer in the authority's record, so the
    listing on it has no basis (as a listing on a dropped finding, domain.md §3.4, §4) and ends by a
    numbered revocation in words of its own (rules.yaml ser.revoke.penalty_dropped, 3 WD) — not
    "revoked" (nothing says the decision was), nor left standing. The 07-13 snapshot brings P back
    and leaves Q out: A is proposed on P anew (under P:<A>), and Q's pending proposal is revoked.
    Before the fix A stayed listed on P, and Q's proposal stood."""
    monkeypatch.setenv("CREDIT_CONFIG_DIR", str(auto))
    n4 = date(2026, 7, 13)
    drop = tmp_path / "drop"
    regs = [registration_row(u, name=f"示例第{i}食品有限公司", legal_rep_hash=f"{i}d" * 32) for i, u in enumerate((A, B))]
    p, q = _penalty(P, A, "2026-06-30"), _penalty(Q, A, "2026-07-08")
    write_night(drop, N1, {"registration.csv": csv_file("registration", "full", regs),
                           "penalties.csv": csv_file("penalties", "full", [p])})
    write_night(drop, N2, {"penalties.csv": csv_file("penalties", "full", [p, q])})
    write_night(drop, N3, {"penalties.csv": csv_file("penalties", "full", [q])})
    write_night(drop, n4, {"penalties.csv": csv_file("penalties", "full", [p])})
    engine = sa.create_engine(str(cli_env.database_url))
    other = sa.create_engine(str(second_settings.database_url))
    try:
        inc_a, prop_q, before = _listed_on_p_and_proposed_on_q(engine, drop)
        assert (inc_a["uscc"], inc_a["fact_key"]) == (A, f"include:serious:penalties:{P}")
        _nightly(N3, drop)
        with engine.connect() as c:
            new = decisions(c)[before:]
            before = len(decisions(c))
        rv = [d for d in new if d["action"] == "revoke"]
        assert [(d["uscc"], d["fact_key"], d["entry_id"], d["refers_to"]) for d in rv] == [
            (A, f"close:{inc_a['seq']}", inc_a["seq"], inc_a["seq"])]
        (d,) = rv
        assert d["decision_no"] and d["rule_id"] == "ser.revoke.penalty_dropped"
        assert (d["decision_date"], d["trigger_date"], d["due_date"]) == (N3, N3, date(2026, 7, 15))
        assert d["facts"]["penalty_dropped_on"] == N3.isoformat() and d["facts"]["case_no"] == P
        assert d["reason"] == "行政处罚信息已不在处罚记录中，列入依据不成立，撤销列入"
        assert _serious(engine, A, N2) == ["listed"]
        assert _serious(engine, A, N3) == ["removed"]
        assert _serious(engine, A, N3, known=N2) == ["listed"]
        _nightly(N3, drop)
        with engine.connect() as c:
            assert len(decisions(c)) == before
        _nightly(n4, drop)
        with engine.connect() as c:
            new = decisions(c)[before:]
            total = len(decisions(c))
        got = sorted((d["uscc"], d["action"], d["fact_key"], d["rule_id"]) for d in new
                     if d["action"] in ("proposal", "revoke"))
        assert got == sorted([(A, "proposal", f"proposal:penalties:{P}:{A}", "ser.propose"),
                              (A, "revoke", f"revoke:penalties:{Q}", "ser.revoke.penalty_dropped")])
        (rq,) = [d for d in new if d["action"] == "revoke"]
        assert rq["refers_to"] == prop_q["seq"] and rq["facts"]["penalty_dropped_on"] == n4.isoformat()
        _nightly(n4, drop)
        with engine.connect() as c:
            assert len(decisions(c)) == total
        full = Settings(database_url=second_settings.database_url, home=second_settings.home, config_dir=auto)
        for night in (N1, N2, N3, n4):
            run_night(drop, night, full, allow_gap=True, full=True, max_partitions=2)
        tables = ("roster_decisions", "roster_chain_anchors", "grade_ranges")
        ours, theirs = fingerprints(engine), fingerprints(other)
        assert {t: ours[t] for t in tables} == {t: theirs[t] for t in tables}
    finally:
        engine.dispose()
        other.dispose()
