"""A finding (核查结果) re-delivered by a later drop with another entity's USCC (an outsider's roster
pass). contracts.md §1: ``findings`` is keyed by ``finding_id``, so the 07-03 row replaces the
07-01 one — a correction. Finding F1 (unreachable, cause 4 of domain.md §3.1) named A on 07-01 and
listed A that night (fact key ``findings:F1``); on 07-03 it names B.

The listing of A no longer has its basis: it is revoked as wrong (撤销, domain.md §3.4, as for an
upheld objection) by a new decision with its basis and 文号 — decisions are never updated or
deleted. B is decided on its own. Before the fix A stayed listed on a finding that no longer names
it, and B was never listed: ``findings:F1`` is unique in the log (migration 0002) and held by A's
listing.

The nights run through ``credit nightly`` (incremental: the 07-03 scope must hold both A, which
the finding no longer names, and B); a second database runs the same drops in full nights, each in
two region partitions (A and B are in different prefectures), and must hold the same log, anchors
and grades.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.cli.main import app
from credit.night.steps import run_night
from credit.rosters.known import known_at
from credit.rosters.read import entity_rosters
from credit.settings import Settings
from tests.db.rosters.helpers import decisions
from tests.dropkit import code, csv_file, registration_row, write_night
from tests.fingerprints import fingerprints

N1, N2, N3 = date(2026, 7, 1), date(2026, 7, 2), date(2026, 7, 3)
A = code(region="330106", body="MA2B3F01")   # 杭州
B = code(region="330203", body="MA2B3F02")   # 宁波
C = code(region="330106", body="MA2B3F03")


def _finding(fid: str, uscc: str, kind: str = "unreachable_address", found_on: str = "2026-06-29") -> dict[str, str]:
    return {"finding_id": fid, "uscc": uscc, "kind": kind, "found_on": found_on,
            "doc_no": f"杭市监核〔2026〕{fid}号", "department": "信用监管科"}


def _drops(drop: Path) -> None:
    regs = [registration_row(u, name=f"示例第{i}有限公司") for i, u in enumerate((A, B, C))]
    reports = [{"uscc": u, "report_year": "2025", "filed_on": "2026-03-01", "employees": "5",
                "revenue": "100000.00", "total_tax": "1000.00"} for u in (A, B, C)]
    write_night(drop, N1, {"registration.csv": csv_file("registration", "full", regs),
                           "annual_reports.csv": csv_file("annual_reports", "full", reports),
                           "findings.csv": csv_file("findings", "delta", [_finding("F1", A)])})
    write_night(drop, N2, {"findings.csv": csv_file("findings", "delta",
                                                    [_finding("F2", C, "false_disclosure", "2026-07-02")])})
    # The correction: the same finding, now naming B (found on the same day, same document).
    write_night(drop, N3, {"findings.csv": csv_file("findings", "delta", [_finding("F1", B)])})


def _nightly(night: date, drop: Path) -> None:
    from credit.settings import get_settings
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["nightly", "--date", night.isoformat(), "--drop", str(drop)])
    assert r.exit_code == 0, r.output


def _states(engine: Engine, uscc: str, as_of: date, known: date | None = None) -> list[tuple[str, str]]:
    with engine.connect() as c:
        return [(e["cause_code"], e["state"])
                for e in entity_rosters(c, uscc, as_of, known=known_at(c, known) if known else None)]


def test_a_finding_corrected_to_name_another_entity_revokes_the_first_listing_and_lists_the_second(
        tmp_path: Path, cli_env: Settings, second_settings: Settings) -> None:
    drop = tmp_path / "drop"
    _drops(drop)
    engine = sa.create_engine(str(cli_env.database_url))
    other = sa.create_engine(str(second_settings.database_url))
    try:
        _nightly(N1, drop)
        with engine.connect() as c:
            (inc_a,) = decisions(c, action="include")
        assert (inc_a["uscc"], inc_a["cause_code"], inc_a["fact_key"]) == (A, "unreachable", "findings:F1")
        _nightly(N2, drop)
        _nightly(N3, drop)
        with engine.connect() as c:
            scope = c.execute(sa.text("select summary -> 'scope' from night_runs where night = :n"), {"n": N3}).scalar_one()
            (rv,) = decisions(c, action="revoke")
            inc_b = decisions(c, action="include", uscc=B)
            total = c.execute(sa.text("select count(*) from roster_decisions")).scalar_one()
        assert scope["mode"] == "incremental"
        # A: its listing ends by a revocation as wrong, with its basis and 文号, 5 WD from the night
        # the store held the correction (Fri 07-03 → Fri 07-10).
        assert (rv["uscc"], rv["entry_id"], rv["rule_id"]) == (A, inc_a["seq"], "any.revoke.fact_withdrawn")
        assert rv["decision_no"] and rv["decision_no"] != inc_a["decision_no"]
        assert "第十六条" in rv["basis"]
        assert (rv["decision_date"], rv["trigger_date"], rv["due_date"]) == (N3, N3, date(2026, 7, 10))
        assert rv["facts"]["finding_id"] == "F1" and rv["facts"]["now_names"] == B
        # B: listed on the corrected finding, under a key of its own (A's listing keeps its key).
        assert [(d["cause_code"], d["fact_key"], d["trigger_date"], d["decision_date"]) for d in inc_b] == \
            [("unreachable", f"findings:F1:{B}", date(2026, 6, 29), N3)]
        assert inc_b[0]["decision_no"]
        # The original listing is still in the log, as it was (decisions are never updated).
        with engine.connect() as c:
            (again,) = decisions(c, seq=inc_a["seq"])
        assert again == inc_a
        # As of the days before the correction A was listed and B not; from 07-03 A's entry is removed
        # (revoked) and B listed. As known after night 07-02, 07-03 still shows A listed, no B.
        assert _states(engine, A, N2) == [("unreachable", "listed")]
        assert _states(engine, B, N2) == []
        assert _states(engine, A, N3) == [("unreachable", "removed")]
        assert _states(engine, B, N3) == [("unreachable", "listed")]
        assert _states(engine, A, N3, known=N2) == [("unreachable", "listed")]
        assert _states(engine, B, N3, known=N2) == []
        # Re-running the night changes nothing.
        _nightly(N3, drop)
        with engine.connect() as c:
            assert c.execute(sa.text("select count(*) from roster_decisions")).scalar_one() == total
        # The same drops in full nights, each in two region partitions: the same log and grades.
        for night in (N1, N2, N3):
            run_night(drop, night, second_settings, full=True, max_partitions=2)
        with other.connect() as c:
            parts = c.execute(sa.text("select summary -> 'partitions' ->> 'count' from night_runs where night = :n"),
                              {"n": N3}).scalar_one()
        assert parts == "2"
        tables = ("roster_decisions", "roster_chain_anchors", "grade_ranges")
        mine, theirs = fingerprints(engine), fingerprints(other)
        assert {t: mine[t] for t in tables} == {t: theirs[t] for t in tables}
    finally:
        engine.dispose()
        other.dispose()


# A finding corrected to name another entity and then corrected back (A → B → A; reviewA): F1 listed
# A on 07-01, named B on 07-03 (A's listing revoked as wrong, B listed under findings:F1:<B>), and
# names A again on 07-04. B's listing has lost its basis and is revoked as wrong (domain.md §3.4);
# A is again named by an unreachable finding with no listing standing on the cause: A is listed anew
# (§3.1 cause 4). A revocation as wrong is no cure (§3.3) that would cover the fact. Corrected to B
# once more (07-05), B is listed under findings:F1:<B>:2 (its first key held by its revoked listing).
N4, N5 = date(2026, 7, 4), date(2026, 7, 5)


def test_a_finding_corrected_back_lists_the_entity_it_names_again(
        tmp_path: Path, cli_env: Settings, second_settings: Settings) -> None:
    drop = tmp_path / "drop"
    _drops(drop)
    write_night(drop, N4, {"findings.csv": csv_file("findings", "delta", [_finding("F1", A)])})
    # and once more to B (07-05): B's key of 07-03 is held by its revoked listing
    write_night(drop, N5, {"findings.csv": csv_file("findings", "delta", [_finding("F1", B)])})
    engine: Engine = sa.create_engine(str(cli_env.database_url))
    other: Engine = sa.create_engine(str(second_settings.database_url))
    try:
        for night in (N1, N2, N3, N4):
            _nightly(night, drop)
        with engine.connect() as c:
            revokes = decisions(c, action="revoke")
            inc_a = decisions(c, action="include", uscc=A)
        assert sorted(r["uscc"] for r in revokes) == sorted([A, B])
        assert [(d["decision_date"], d["fact_key"]) for d in inc_a] == [(N1, "findings:F1"), (N4, f"findings:F1:{A}")]
        assert _states(engine, B, N4) == [("unreachable", "removed")]
        assert ("unreachable", "listed") in _states(engine, A, N4)
        _nightly(N5, drop)
        with engine.connect() as c:
            inc_b = decisions(c, action="include", uscc=B)
            total = c.execute(sa.text("select count(*) from roster_decisions")).scalar_one()
        assert [(d["decision_date"], d["fact_key"]) for d in inc_b] == \
            [(N3, f"findings:F1:{B}"), (N5, f"findings:F1:{B}:2")]
        assert _states(engine, A, N5) == [("unreachable", "removed"), ("unreachable", "removed")]
        # a re-run changes nothing; full nights in two region partitions hold the same log and grades
        _nightly(N5, drop)
        with engine.connect() as c:
            assert c.execute(sa.text("select count(*) from roster_decisions")).scalar_one() == total
        for night in (N1, N2, N3, N4, N5):
            run_night(drop, night, second_settings, full=True, max_partitions=2)
        tables = ("roster_decisions", "roster_chain_anchors", "grade_ranges")
        mine, theirs = fingerprints(engine), fingerprints(other)
        assert {t: mine[t] for t in tables} == {t: theirs[t] for t in tables}
    finally:
        engine.dispose()
        other.dispose()


def test_another_finding_on_the_cause_lists_the_entity_once_its_listing_is_revoked(
        tmp_path: Path, cli_env: Settings, second_settings: Settings) -> None:
    """A is named by two unreachable findings: F1 (listed A on 07-01) and F3 (found 06-30, covered by
    that listing: one listing per cause). F1 is corrected on 07-03 to name B: A's listing is revoked as
    wrong, which is no cure (domain.md §3.3, §3.4), and F3 still names A: A is listed on F3 on 07-03,
    in the incremental night as in full nights (issue 11). Before: F3 stayed covered by the revoked
    listing for good."""
    drop = tmp_path / "drop"
    _drops(drop)
    write_night(drop, N2, {"findings.csv": csv_file("findings", "delta", [
        _finding("F2", C, "false_disclosure", "2026-07-02"), _finding("F3", A, found_on="2026-06-30")])})
    engine: Engine = sa.create_engine(str(cli_env.database_url))
    other: Engine = sa.create_engine(str(second_settings.database_url))
    try:
        for night in (N1, N2, N3):
            _nightly(night, drop)
        with engine.connect() as c:
            inc_a = decisions(c, action="include", uscc=A)
        assert [(d["decision_date"], d["fact_key"]) for d in inc_a] == [(N1, "findings:F1"), (N3, "findings:F3")]
        assert ("unreachable", "listed") in _states(engine, A, N3)
        for night in (N1, N2, N3):
            run_night(drop, night, second_settings, full=True)
        tables = ("roster_decisions", "roster_chain_anchors", "grade_ranges")
        mine, theirs = fingerprints(engine), fingerprints(other)
        assert {t: mine[t] for t in tables} == {t: theirs[t] for t in tables}
    finally:
        engine.dispose()
        other.dispose()


def test_a_finding_corrected_to_another_cause_revokes_the_listing_and_decides_the_new_cause(
        tmp_path: Path, cli_env: Settings, second_settings: Settings) -> None:
    """F1 found A unreachable (cause 4, listed 07-01 on findings:F1); the 07-03 drop re-delivers F1
    for the same entity as false disclosure (cause 3, domain.md §3.1) — the same finding_id, so a
    correction (contracts.md §1; an outsider's list, case 2). The unreachable listing no longer
    has its basis: revoked as wrong by a new numbered decision, 5 WD from the night the store held
    the correction (domain.md §3.4); the false-disclosure cause is decided on its own, under the
    key findings:F1:<A> (findings:F1 stays with the first listing). Before: A stayed listed as
    unreachable and the new cause was never decided (its key held by that listing)."""
    drop = tmp_path / "drop"
    _drops(drop)
    write_night(drop, N3, {"findings.csv": csv_file("findings", "delta", [_finding("F1", A, "false_disclosure")])})
    engine: Engine = sa.create_engine(str(cli_env.database_url))
    other: Engine = sa.create_engine(str(second_settings.database_url))
    try:
        for night in (N1, N2, N3):
            _nightly(night, drop)
        with engine.connect() as c:
            scope = c.execute(sa.text("select summary -> 'scope' from night_runs where night = :n"), {"n": N3}).scalar_one()
            (inc_a, *more) = decisions(c, action="include", uscc=A)
            (rv,) = decisions(c, action="revoke")
            total = c.execute(sa.text("select count(*) from roster_decisions")).scalar_one()
        assert scope["mode"] == "incremental"
        assert (inc_a["cause_code"], inc_a["fact_key"], inc_a["decision_date"]) == ("unreachable", "findings:F1", N1)
        assert (rv["uscc"], rv["entry_id"], rv["rule_id"]) == (A, inc_a["seq"], "any.revoke.fact_withdrawn")
        assert rv["decision_no"] and (rv["decision_date"], rv["trigger_date"], rv["due_date"]) == (N3, N3, date(2026, 7, 10))
        assert rv["facts"]["kind"] == "false_disclosure"
        assert [(d["cause_code"], d["fact_key"], d["trigger_date"], d["decision_date"]) for d in more] == \
            [("false_disclosure", f"findings:F1:{A}", date(2026, 6, 29), N3)]
        assert _states(engine, A, N2) == [("unreachable", "listed")]
        assert sorted(_states(engine, A, N3)) == [("false_disclosure", "listed"), ("unreachable", "removed")]
        assert _states(engine, A, N3, known=N2) == [("unreachable", "listed")]
        # a re-run changes nothing; full nights in two region partitions hold the same log and grades
        _nightly(N3, drop)
        with engine.connect() as c:
            assert c.execute(sa.text("select count(*) from roster_decisions")).scalar_one() == total
        for night in (N1, N2, N3):
            run_night(drop, night, second_settings, full=True, max_partitions=2)
        tables = ("roster_decisions", "roster_chain_anchors", "grade_ranges")
        mine, theirs = fingerprints(engine), fingerprints(other)
        assert {t: mine[t] for t in tables} == {t: theirs[t] for t in tables}
    finally:
        engine.dispose()
        other.dispose()


def test_a_finding_dropped_from_a_full_snapshot_revokes_its_listing(
        tmp_path: Path, cli_env: Settings, second_settings: Settings) -> None:
    """F1 listed A on 07-01 (unreachable); on 07-03 the platform delivers findings in full mode
    without F1 (contracts.md §1: a full file is a complete snapshot that replaces the source's
    state; an outsider's list, case 3): the store no longer holds the finding the listing stands on.
    The listing is revoked as wrong by a new numbered decision, 5 WD from the night of the snapshot
    (domain.md §3.4); C's listing on F2, still delivered, stands. Before: A stayed listed on a
    finding the store had dropped."""
    drop = tmp_path / "drop"
    _drops(drop)
    write_night(drop, N3, {"findings.csv": csv_file("findings", "full",
                                                    [_finding("F2", C, "false_disclosure", "2026-07-02")])})
    engine: Engine = sa.create_engine(str(cli_env.database_url))
    other: Engine = sa.create_engine(str(second_settings.database_url))
    try:
        for night in (N1, N2, N3):
            _nightly(night, drop)
        with engine.connect() as c:
            scope = c.execute(sa.text("select summary -> 'scope' from night_runs where night = :n"), {"n": N3}).scalar_one()
            (inc_a,) = decisions(c, action="include", uscc=A)
            (rv,) = decisions(c, action="revoke")
            total = c.execute(sa.text("select count(*) from roster_decisions")).scalar_one()
        assert scope["mode"] == "incremental"
        assert (rv["uscc"], rv["entry_id"], rv["rule_id"]) == (A, inc_a["seq"], "any.revoke.fact_withdrawn")
        assert rv["decision_no"] and (rv["decision_date"], rv["trigger_date"], rv["due_date"]) == (N3, N3, date(2026, 7, 10))
        assert rv["facts"]["finding_id"] == "F1" and rv["facts"]["finding_dropped"] is True
        assert _states(engine, A, N2) == [("unreachable", "listed")]
        assert _states(engine, A, N3) == [("unreachable", "removed")]
        assert _states(engine, A, N3, known=N2) == [("unreachable", "listed")]
        assert _states(engine, C, N3) == [("false_disclosure", "listed")]
        _nightly(N3, drop)
        with engine.connect() as c:
            assert c.execute(sa.text("select count(*) from roster_decisions")).scalar_one() == total
        for night in (N1, N2, N3):
            run_night(drop, night, second_settings, full=True, max_partitions=2)
        tables = ("roster_decisions", "roster_chain_anchors", "grade_ranges")
        mine, theirs = fingerprints(engine), fingerprints(other)
        assert {t: mine[t] for t in tables} == {t: theirs[t] for t in tables}
    finally:
        engine.dispose()
        other.dispose()
