"""A re-delivered row older than the stored one (outsider's report M5): held back, never merged.

contracts.md §1: registration carries ``updated_at``, tax and bank credit ``updated_on``. A ``delta``
(or ``full``) file that delivers again a key's row with an older stamp than the store's would,
merged, replace newer state with older state (an entity's later name, status or tax grade
undone). It is quarantined with its true line and the rule ``stale_update``; the night's counts
still add up (rows in = accepted + quarantined) and the merge does not count it. Those rows count
toward the quality gate's quarantine ceiling like any other: a file they take past it is refused at
publish (``quarantine_ceiling``). A row whose stamp is empty (contracts.md §1: unknown) over a
stored row that has one is not known to be newer: quarantined too (``unstamped_update``).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.night.issues import NightRefused
from credit.night.steps import run_night
from credit.settings import Settings
from tests.db.night.nightproc import nightly
from tests.dropkit import code, csv_file, registration_row, write_night

N1, N2 = date(2026, 7, 13), date(2026, 7, 14)
A, B, C = code(body="MA2B3C4D"), code(body="MA2B3C4E"), code(body="MA2B3C4F")


def tax_row(uscc: str, grade: str, updated_on: str) -> dict[str, str]:
    return {"uscc": uscc, "assessed_year": "2025", "tax_credit_grade": grade, "abnormal_taxpayer_since": "",
            "arrears": "0", "updated_on": updated_on}


def bank_row(uscc: str, overdue: str, updated_on: str) -> dict[str, str]:
    return {"uscc": uscc, "period": "2026-06", "lenders": "2", "loans_outstanding": "800000.00",
            "overdue_amount": overdue, "max_overdue_days": "0", "in_default": "false", "updated_on": updated_on}


def first_night(drop: Path, settings: Settings) -> None:
    write_night(drop, N1, {
        "registration.csv": csv_file("registration", "full", [
            registration_row(A, name="甲新名称有限公司", updated_at="2026-07-10T09:00:00"),
            registration_row(B, updated_at="2026-07-01T08:00:00"),
            registration_row(C, updated_at="2026-07-01T08:00:00")]),
        "tax.csv": csv_file("tax", "delta", [tax_row(A, "A", "2026-06-01")]),
        "bank_credit.csv": csv_file("bank_credit", "delta", [bank_row(A, "0", "2026-07-05")]),
    })
    run_night(drop, N1, settings)


@pytest.mark.parametrize(("mode", "partitions"), [("delta", None), ("full", None), ("delta", 2)])
def test_an_older_redelivered_row_is_quarantined_not_merged(mode: str, partitions: int | None, settings: Settings,
                                                            engine: Engine, tmp_path: Path) -> None:
    # partitions: the night computed in region partitions, whose rehearsal merges the rows too
    drop = tmp_path / "drop"
    first_night(drop, settings)
    registrations = [
        registration_row(B, status="revoked", status_on="2026-07-12", updated_at="2026-07-12T10:00:00"),
        # line 3: A's row of before its renaming, delivered again
        registration_row(A, name="甲旧名称有限公司", updated_at="2026-06-20T09:00:00"),
        # an equal stamp is no older: merged as delivered (the platform's latest word)
        registration_row(C, address="杭州市西湖区文三路2号", updated_at="2026-07-01T08:00:00"),
    ]
    write_night(drop, N2, {
        "registration.csv": csv_file("registration", mode, registrations),
        "tax.csv": csv_file("tax", "delta", [tax_row(A, "D", "2026-05-01")]),
        "bank_credit.csv": csv_file("bank_credit", "delta", [bank_row(A, "90000", "2026-07-01")]),
    })
    summary = run_night(drop, N2, settings, max_partitions=partitions)
    files = {f["source"]: f for f in summary["files"]}
    assert {s: (f["rows_in"], f["accepted"], f["quarantined"]) for s, f in files.items()} == {
        "registration": (3, 2, 1), "tax": (1, 0, 1), "bank_credit": (1, 0, 1)}
    merges = {m["source"]: (m["staged"], m["new"], m["changed"], m["dropped"]) for m in summary["merges"]}
    assert merges == {"registration": (2, 0, 2, 0), "tax": (0, 0, 0, 0), "bank_credit": (0, 0, 0, 0)}
    with engine.connect() as c:
        name = c.execute(sa.text("select name from registration where uscc = :u"), {"u": A}).scalar_one()
        status = c.execute(sa.text("select status from registration where uscc = :u"), {"u": B}).scalar_one()
        grade = c.execute(sa.text("select tax_credit_grade from tax where uscc = :u"), {"u": A}).scalar_one()
        overdue = c.execute(sa.text("select overdue_amount from bank_credit where uscc = :u"), {"u": A}).scalar_one()
        history = c.execute(sa.text("select count(*) from registration_history where night = :n and uscc = :u"),
                            {"n": N2, "u": A}).scalar_one()
        held = c.execute(sa.text("select source, file, line, rule, reason, raw from quarantine where night = :n "
                                 "order by source"), {"n": N2}).all()
        loads = c.execute(sa.text("select source, rows_in, accepted, quarantined from file_loads where night = :n "
                                  "order by source"), {"n": N2}).all()
    assert (name, status, grade, float(overdue), history) == ("甲新名称有限公司", "revoked", "A", 0.0, 0)
    assert [(s, f, ln, r) for s, f, ln, r, _, _ in held] == [
        ("bank_credit", "bank_credit.csv", 2, "stale_update"),
        ("registration", "registration.csv", 3, "stale_update"),
        ("tax", "tax.csv", 2, "stale_update")]
    reg = next(h for h in held if h[0] == "registration")
    assert "2026-06-20" in reg[4] and "2026-07-10" in reg[4] and "stale" in reg[4]
    raw = reg[5] if isinstance(reg[5], dict) else json.loads(reg[5])
    assert raw["uscc"] == A and raw["name"] == "甲旧名称有限公司"   # the row as delivered
    assert [tuple(r) for r in loads] == [("bank_credit", 1, 0, 1), ("registration", 3, 2, 1), ("tax", 1, 0, 1)]
    # The night again: nothing changes, the same quarantine.
    again = run_night(drop, N2, settings)
    assert again.get("already_published")
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from quarantine where night = :n"), {"n": N2}).scalar_one() == 3


# -- the quality gate's ceiling counts the stale rows ---------------------------------------------
#: At least ceiling_min_rows (50), so that the file's quarantined share is judged.
SIXTY = [code(body=f"MA2B3E{i:02d}") for i in range(60)]


def _with_ceiling(settings: Settings, tmp_path: Path, line: str) -> Settings:
    """The repository's configuration with ``quality.yaml``'s ``per_source_ceiling`` set to ``line``."""
    conf = tmp_path / "conf"
    shutil.copytree(settings.config_dir, conf)
    quality = conf / "quality.yaml"
    text = quality.read_text(encoding="utf-8")
    assert "per_source_ceiling: {}\n" in text
    quality.write_text(text.replace("per_source_ceiling: {}\n", line + "\n"), encoding="utf-8")
    return settings.model_copy(update={"config_dir": conf})


def _mostly_stale_night(drop: Path, settings: Settings) -> None:
    """Night 1 stores sixty entities stamped 10 July; night 2 delivers them again, 15 of them (25 %,
    above the 20 % ceiling) with a stamp older than the stored one, the others renamed and newer."""
    write_night(drop, N1, {"registration.csv": csv_file("registration", "full", [
        registration_row(u, name="甲有限公司", updated_at="2026-07-10T09:00:00") for u in SIXTY])})
    run_night(drop, N1, settings)
    write_night(drop, N2, {
        "registration.csv": csv_file("registration", "delta", [
            registration_row(u, name="乙有限公司", updated_at="2026-06-20T09:00:00" if i < 15 else "2026-07-13T09:00:00")
            for i, u in enumerate(SIXTY)]),
        "tax.csv": csv_file("tax", "delta", [tax_row(SIXTY[0], "A", "2026-06-01")])})


def _night_two_left_alone(engine: Engine) -> None:
    """Yesterday's state: nothing of night 2 stored, quarantined or recorded."""
    with engine.connect() as c:
        names = c.execute(sa.text("select name, count(*) from registration group by name")).all()
        assert [tuple(r) for r in names] == [("甲有限公司", 60)]
        assert c.execute(sa.text("select count(*) from tax")).scalar_one() == 0
        for table in ("quarantine", "file_loads", "night_runs"):
            assert c.execute(sa.text(f"select count(*) from {table} where night = :n"), {"n": N2}).scalar_one() == 0


@pytest.mark.parametrize("partitions", [None, 2])
def test_stale_rows_count_toward_the_quarantine_ceiling(partitions: int | None, settings: Settings, engine: Engine,
                                                        tmp_path: Path) -> None:
    # The gate passed the file (no row of it was bad when ingested); 15 of its 60 rows are stale once
    # they meet the store: 25 % quarantined, above the 20 % ceiling, so the night is refused as the
    # gate refuses such a file, inside the publishing transaction (or the partition's rehearsal).
    drop = tmp_path / "drop"
    _mostly_stale_night(drop, settings)
    for _ in range(2):   # run again: refused the same way, nothing changed
        with pytest.raises(NightRefused) as refused:
            run_night(drop, N2, settings, max_partitions=partitions)
        assert [(i.file, i.code, i.level) for i in refused.value.issues] == [
            ("registration.csv", "quarantine_ceiling", "refusal")]
        issue = refused.value.issues[0]
        assert "25.0%" in issue.zh and "60 行中 15 行" in issue.zh and "其中 15 行" in issue.zh
        assert "15 of 60 rows, 15 of them held back at publish" in issue.en
        _night_two_left_alone(engine)
        with engine.connect() as c:   # refused by the partitions' rehearsal already: none of them staged
            assert c.execute(sa.text("select count(*) from night_partitions where night = :n"),
                             {"n": N2}).scalar_one() == 0
    # The gate's own override, the source's ceiling in quality.yaml, lets the night publish.
    summary = run_night(drop, N2, _with_ceiling(settings, tmp_path, "per_source_ceiling: {registration: 0.30}"),
                        max_partitions=partitions)
    files = {f["source"]: (f["rows_in"], f["accepted"], f["quarantined"]) for f in summary["files"]}
    assert files == {"registration": (60, 45, 15), "tax": (1, 1, 0)}
    with engine.connect() as c:
        names = c.execute(sa.text("select name, count(*) from registration group by name order by name")).all()
        held = c.execute(sa.text("select rule, count(*) from quarantine where night = :n group by rule"),
                         {"n": N2}).all()
    assert sorted(tuple(r) for r in names) == [("乙有限公司", 45), ("甲有限公司", 15)]
    assert [tuple(r) for r in held] == [("stale_update", 15)]


def test_a_night_refused_for_its_stale_rows_exits_2_in_chinese_then_english(settings: Settings, engine: Engine,
                                                                          tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    _mostly_stale_night(drop, settings)
    done = nightly(settings, drop, N2)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    line = next(ln for ln in done.stderr.splitlines() if "[quarantine_ceiling]" in ln)
    assert line.index("registration.csv") < line.index("隔离比例") < line.index("quarantined share")
    _night_two_left_alone(engine)


# -- a row without a stamp over a stamped one -------------------------------------------------------
D, E, F = code(body="MA2B3C4G"), code(body="MA2B3C4H"), code(body="MA2B3C4J")


@pytest.mark.parametrize(("mode", "partitions"), [("delta", None), ("full", None), ("delta", 2)])
def test_a_row_without_a_stamp_does_not_replace_a_stamped_one(mode: str, partitions: int | None, settings: Settings,
                                                              engine: Engine, tmp_path: Path) -> None:
    # contracts.md §1: the stamp may be empty ("empty means unknown"). Over a stored row that has one,
    # whether the delivered row is newer is unknown: not unambiguous, so quarantined, and the stored
    # row and its stamp stay. Where the stored row has no stamp, nothing is known to be newer: merged.
    drop = tmp_path / "drop"
    write_night(drop, N1, {
        "registration.csv": csv_file("registration", "full", [
            registration_row(A, name="甲新名称有限公司", updated_at="2026-07-10T09:00:00"),
            registration_row(D, updated_at=""), registration_row(E, updated_at="")]),
        "tax.csv": csv_file("tax", "delta", [tax_row(A, "A", "2026-06-01")]),
    })
    run_night(drop, N1, settings)
    write_night(drop, N2, {
        "registration.csv": csv_file("registration", mode, [
            # line 2: A's row without its stamp, over the stamped one
            registration_row(A, name="甲旧名称有限公司", updated_at=""),
            # the stored rows have no stamp: a stamped row and an unstamped one are merged
            registration_row(D, status="revoked", status_on="2026-07-12", updated_at="2026-07-12T10:00:00"),
            registration_row(E, address="杭州市西湖区文三路2号", updated_at=""),
            # a key the store does not hold: nothing to compare with, merged
            registration_row(F, updated_at="")]),
        "tax.csv": csv_file("tax", "delta", [tax_row(A, "D", "")]),
    })
    summary = run_night(drop, N2, settings, max_partitions=partitions)
    files = {f["source"]: (f["rows_in"], f["accepted"], f["quarantined"]) for f in summary["files"]}
    assert files == {"registration": (4, 3, 1), "tax": (1, 0, 1)}
    with engine.connect() as c:
        rows = {u: (n, s, a, t) for u, n, s, a, t in c.execute(sa.text(
            "select uscc, name, status, address, updated_at from registration"))}
        grade = c.execute(sa.text("select tax_credit_grade, updated_on from tax where uscc = :u"), {"u": A}).one()
        held = c.execute(sa.text("select source, line, rule, reason, raw from quarantine where night = :n "
                                 "order by source"), {"n": N2}).all()
    assert rows[A][0] == "甲新名称有限公司" and rows[A][3] is not None and rows[A][3].isoformat().startswith("2026-07-10")
    assert rows[D][1] == "revoked" and rows[D][3] is not None
    assert rows[E][2] == "杭州市西湖区文三路2号" and rows[E][3] is None
    assert F in rows
    assert (grade[0], grade[1].isoformat()) == ("A", "2026-06-01")
    assert [(s, ln, r) for s, ln, r, _, _ in held] == [
        ("registration", 2, "unstamped_update"), ("tax", 2, "unstamped_update")]
    reason = held[0][3]
    assert "updated_at" in reason and "2026-07-10" in reason and "为空" in reason and "unknown" in reason
    raw = held[0][4] if isinstance(held[0][4], dict) else json.loads(held[0][4])
    assert raw["uscc"] == A and raw["updated_at"] == ""   # the row as delivered
    again = run_night(drop, N2, settings)
    assert again.get("already_published")
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from quarantine where night = :n"), {"n": N2}).scalar_one() == 2
