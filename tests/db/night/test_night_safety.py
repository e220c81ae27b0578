"""Nights that cannot shrink, mix or jump (issue 14), with real concurrent ``credit nightly`` processes.

- A full snapshot that would shrink its source beyond the gate — to zero too — is refused (exit 2).
- Two runs of one night from different drops: one publishes its own drop whole, the other is
  refused and says why (their staged rows are kept apart by the manifest's digest).
- Nights 13 and 14 started together on a fresh database: 14 never publishes before 13.
- The order is checked again inside the publishing transaction, under the lock.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import clock
from credit.contract.manifest import read_manifest
from credit.night import steps
from credit.night.issues import NightRefused
from credit.night.steps import run_night
from credit.settings import Settings
from tests.db.night.nightproc import nightly, start_nightly, wait_for
from tests.dropkit import code, csv_bytes, csv_file, registration_row, write_night

N13, N14, N15 = date(2026, 7, 13), date(2026, 7, 14), date(2026, 7, 15)
ROWS = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(10)]


def _published(engine: Engine) -> list[tuple[date, str]]:
    with engine.connect() as c:
        return [(n, d) for n, d in c.execute(sa.text("select night, manifest_digest from night_runs order by night"))]


# -- shrinking --------------------------------------------------------------------------------
#: At least ceiling_min_rows (50): a smaller source may shrink (outsider's report M4), unless to nothing.
SIXTY = [registration_row(code(body=f"MA2B3D{i:02d}")) for i in range(60)]


@pytest.mark.parametrize("base, rows", [(ROWS, []), (SIXTY, SIXTY[:12])], ids=["header_only", "twelve_of_sixty"])
def test_a_full_snapshot_shrinking_the_store_is_refused_even_to_zero(base: list[dict[str, str]],
                                                                     rows: list[dict[str, str]], settings: Settings,
                                                                     engine: Engine, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", base)})
    run_night(drop, N13, settings)
    write_night(drop, N14, {"registration.csv": csv_file("registration", "full", rows)})
    done = nightly(settings, drop, N14)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "registration.csv" in done.stderr and "[full_snapshot_shrink]" in done.stderr
    assert "Traceback" not in done.stderr
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from registration")).scalar() == len(base)
    assert [n for n, _ in _published(engine)] == [N13]
    # An unknown source named to --accept-shrink is a usage error; the right one publishes the shrink.
    wrong = nightly(settings, drop, N14, "--accept-shrink", "registrations")
    assert wrong.returncode == 2 and "registrations" in wrong.stderr and "Traceback" not in wrong.stderr
    done = nightly(settings, drop, N14, "--accept-shrink", "registration")
    assert done.returncode == 0, (done.stdout, done.stderr)
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from registration")).scalar() == len(rows)


def test_a_full_snapshot_whose_rows_are_all_quarantined_is_refused(settings: Settings, engine: Engine,
                                                                   tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    run_night(drop, N13, settings)
    bad = [dict(r, established_on="2026-02-30") for r in ROWS[:3]]   # few rows: below the share's minimum
    write_night(drop, N14, {"registration.csv": csv_file("registration", "full", bad)})
    with pytest.raises(NightRefused) as refused:
        run_night(drop, N14, settings)
    assert [(i.file, i.code) for i in refused.value.issues] == [("registration.csv", "full_snapshot_shrink")]


# -- the same drop, its manifest written again ----------------------------------------------------
def test_a_drop_whose_manifest_is_written_again_is_the_night_already_published(settings: Settings, engine: Engine,
                                                                             tmp_path: Path) -> None:
    # The platform delivers the night again with the manifest re-serialised: other white space and
    # key order, the checksum in capitals, a key of its own. The files are the same, so the drop is:
    # re-running it changes nothing (contracts.md §2), where it was refused as another drop.
    import json

    drop = tmp_path / "drop"
    folder = write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    first = run_night(drop, N13, settings)
    doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entry = doc["files"]["registration.csv"]
    again = {"files": {"registration.csv": {**dict(reversed(list(entry.items()))),
                                            "sha256": entry["sha256"].upper(), "encoding": "UTF-8"}},
             "night": doc["night"], "delivered_again": True}
    (folder / "manifest.json").write_text(json.dumps(again, indent=2), encoding="utf-8")
    assert read_manifest(drop, N13).digest != first["manifest_digest"]
    summary = run_night(drop, N13, settings)
    assert summary.get("already_published") is True and summary["manifest_digest"] == first["manifest_digest"]
    assert _published(engine) == [(N13, first["manifest_digest"])]
    # What it delivers differs (a delta, no longer a full snapshot): another drop, refused.
    again["files"]["registration.csv"]["mode"] = "delta"
    (folder / "manifest.json").write_text(json.dumps(again, indent=2), encoding="utf-8")
    with pytest.raises(NightRefused) as refused:
        run_night(drop, N13, settings)
    assert [i.code for i in refused.value.issues] == ["night_already_published"]


# -- mixing -----------------------------------------------------------------------------------
def test_two_runs_of_one_night_from_different_drops_one_publishes_the_other_is_refused(
        settings: Settings, engine: Engine, tmp_path: Path) -> None:
    drops = {}
    for label, rows in (("a", ROWS[:5]), ("b", ROWS[5:])):
        drops[label] = tmp_path / label
        write_night(drops[label], N13, {"registration.csv": csv_file("registration", "full", rows)})
    # Both runs pass the opening checks and ingest before either publishes: the race of issue 14.
    procs = {label: start_nightly(settings, drop, N13, CREDIT_FAULT="ingest:after@pause",
                                  CREDIT_FAULT_SIGNAL=str(tmp_path / f"paused-{label}")) for label, drop in drops.items()}
    for label, p in procs.items():
        wait_for(tmp_path / f"paused-{label}", p)
    for label in procs:
        (tmp_path / f"paused-{label}").unlink()
    results = {label: p.communicate(timeout=300) + (p.returncode,) for label, p in procs.items()}
    codes = sorted(r[2] for r in results.values())
    assert codes == [0, 2], results
    [(night, digest)] = _published(engine)
    winner = next(label for label, drop in drops.items() if read_manifest(drop, N13).digest == digest)
    loser = "b" if winner == "a" else "a"
    assert results[winner][2] == 0
    assert "[night_already_published]" in results[loser][1] and "Traceback" not in results[loser][1]
    expected = {r["uscc"] for r in (ROWS[:5] if winner == "a" else ROWS[5:])}
    with engine.connect() as c:
        stored = set(c.execute(sa.text("select uscc from registration")).scalars())
        history = set(c.execute(sa.text("select uscc from registration_history")).scalars())
    assert stored == expected and history == expected   # the winner's drop, whole, and nothing of the other
    with engine.connect() as c:                          # the winner's commit cleared both drops' staging
        assert c.execute(sa.text("select count(*) from night_staging_files")).scalar() == 0


def test_nights_13_and_14_started_together_on_a_fresh_database_publish_in_order(
        settings: Settings, engine: Engine, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    write_night(drop, N14, {"registration.csv": csv_file("registration", "delta", [
        dict(ROWS[0], status="cancelled", status_on="2026-07-14")])})
    p13, p14 = start_nightly(settings, drop, N13), start_nightly(settings, drop, N14)
    out14, err14 = p14.communicate(timeout=300)
    p13.communicate(timeout=300)
    assert p13.returncode == 0
    if p14.returncode == 2:       # 14 opened before 13 was published: refused, and says why
        assert "[night_gap]" in err14 and "2026-07-13" in err14
        assert nightly(settings, drop, N14).returncode == 0
    else:                         # 14 opened after 13 was published: then it publishes after it
        assert p14.returncode == 0, (out14, err14)
    with engine.connect() as c:
        order = c.execute(sa.text("select night from night_runs order by finished_at")).scalars().all()
        status = c.execute(sa.text("select status from registration where uscc = :u"), {"u": ROWS[0]["uscc"]}).scalar()
    assert order == [N13, N14] and status == "cancelled"


# -- jumping ----------------------------------------------------------------------------------
def test_the_order_is_checked_again_under_the_publishing_lock(settings: Settings, engine: Engine,
                                                             tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    write_night(drop, N14, {"registration.csv": csv_file("registration", "full", ROWS)})
    opened = steps.open_night(drop, N13, settings)          # 13 passes its opening checks …
    outcomes = [steps.ingest_file(opened.manifest, f.file, settings) for f in opened.manifest.files]
    # … then 14 is published meanwhile (from a folder without 13: --allow-gap skips no delivered night)
    alone = tmp_path / "alone"
    write_night(alone, N14, {"registration.csv": csv_file("registration", "full", ROWS)})
    run_night(alone, N14, settings, allow_gap=True)
    with pytest.raises(NightRefused) as refused:
        steps.publish_night(opened.manifest, outcomes, settings)
    assert [i.code for i in refused.value.issues] == ["night_out_of_order"]
    assert [n for n, _ in _published(engine)] == [N14]


def test_outcomes_of_another_drop_are_not_published(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write_night(a, N13, {"registration.csv": csv_file("registration", "full", ROWS[:5])})
    write_night(b, N13, {"registration.csv": csv_file("registration", "full", ROWS[5:])})
    ma, mb = read_manifest(a, N13), read_manifest(b, N13)
    outcomes_a = [steps.ingest_file(ma, "registration.csv", settings)]
    with pytest.raises(NightRefused) as refused:
        steps.publish_night(mb, outcomes_a, settings)
    assert [i.code for i in refused.value.issues] == ["staging_mismatch"]
    assert _published(engine) == []


# -- a file changed after the opening checks (hostile review D1) -------------------------------
def _redeliver(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    """The platform delivers the file again, other content, as many records (an atomic rename)."""
    new = folder / (name + ".part")
    new.write_bytes(csv_bytes("registration", rows))
    new.replace(folder / name)


def test_a_file_changed_after_the_opening_checks_is_refused_and_the_outcome_holds_what_was_read(
        settings: Settings, engine: Engine, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    folder = write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    opened = steps.open_night(drop, N13, settings)              # the manifest's checksum holds here …
    listed = opened.manifest.file("registration.csv").sha256
    same = steps.ingest_file(opened.manifest, "registration.csv", settings)
    assert (same.failures, same.sha256, same.accepted) == ([], listed, len(ROWS))
    _redeliver(folder, "registration.csv", [dict(r, name="另一家公司") for r in ROWS])   # … then the file changes
    out = steps.ingest_file(opened.manifest, "registration.csv", settings)
    assert [(i.file, i.code) for i in out.failures] == [("registration.csv", "sha256_mismatch")]
    assert hashlib.sha256((folder / "registration.csv").read_bytes()).hexdigest() in out.failures[0].text()
    with pytest.raises(NightRefused) as refused:
        steps.publish_night(opened.manifest, None, settings)
    assert ("registration.csv", "sha256_mismatch") in [(i.file, i.code) for i in refused.value.issues]
    assert _published(engine) == []
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from registration")).scalar() == 0


def test_a_nightly_run_whose_file_is_replaced_while_it_waits_after_opening_is_refused(
        settings: Settings, engine: Engine, tmp_path: Path) -> None:
    """The reviewer's race, made certain by pausing after the opening checks: refused (exit 2),
    yesterday's state kept, and a re-run on the manifest's file publishes."""
    drop = tmp_path / "drop"
    folder = write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    original = (folder / "registration.csv").read_bytes()
    signal = tmp_path / "paused"
    p = start_nightly(settings, drop, N13, CREDIT_FAULT="open:after@pause", CREDIT_FAULT_SIGNAL=str(signal))
    wait_for(signal, p)
    _redeliver(folder, "registration.csv", [dict(r, name="另一家公司") for r in ROWS])
    signal.unlink()
    out, err = p.communicate(timeout=300)
    assert p.returncode == 2, (out, err)
    assert "registration.csv" in err and "[sha256_mismatch]" in err and "Traceback" not in err
    assert _published(engine) == []
    (folder / "registration.csv").write_bytes(original)
    assert nightly(settings, drop, N13).returncode == 0
    with engine.connect() as c:
        names = set(c.execute(sa.text("select name from registration")).scalars())
        sha = c.execute(sa.text("select sha256 from file_loads where file = 'registration.csv'")).scalar()
    assert names == {ROWS[0]["name"]} and sha == hashlib.sha256(original).hexdigest()


def test_the_first_night_is_fixed_by_config(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(settings.config_dir, config)
    quality = config / "quality.yaml"
    quality.write_text(quality.read_text().replace("first_night: null", 'first_night: "2026-07-14"'))
    fixed = settings.model_copy(update={"config_dir": config})
    drop = tmp_path / "drop"
    for n in (N13, N14, N15):
        write_night(drop, n, {"registration.csv": csv_file("registration", "full", ROWS)})
    with pytest.raises(NightRefused, match="night_before_first"):
        run_night(drop, N13, fixed)
    with pytest.raises(NightRefused, match="night_gap"):
        run_night(drop, N15, fixed)
    run_night(drop, N14, fixed)                  # 13 is in the drop, but the store starts on 14
    assert [n for n, _ in _published(engine)] == [N14]


def test_the_publishing_transaction_commits_durably(settings: Settings, tmp_path: Path) -> None:
    seen: list[str] = []

    def spy(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", spy)
    try:
        write_night(tmp_path / "drop", N13, {"registration.csv": csv_file("registration", "full", ROWS)})
        run_night(tmp_path / "drop", N13, settings)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", spy)
    lock = next(i for i, s in enumerate(seen) if f"pg_advisory_xact_lock({steps.PUBLISH_LOCK})" in s)
    assert "set local synchronous_commit = on" in seen[lock - 1]


# -- a night that has not begun ----------------------------------------------------------------
def test_a_night_after_today_on_the_bureau_s_clock_is_refused_and_today_s_is_not(
        settings: Settings, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 2026-07-13 16:30 UTC is 2026-07-14 00:30 in Shanghai: the bureau's 14th has begun, its 15th has not.
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 7, 13, 16, 30, tzinfo=UTC))
    drop = tmp_path / "drop"
    for n in (N13, N14, N15):
        write_night(drop, n, {"registration.csv": csv_file("registration", "full", ROWS)})
    run_night(drop, N13, settings)
    run_night(drop, N14, settings)        # today's own night: the bureau's day, not the machine's (UTC 13th)
    with pytest.raises(NightRefused) as refused:
        run_night(drop, N15, settings)
    assert [i.code for i in refused.value.issues] == ["night_in_future"]
    assert "2026-07-15" in str(refused.value) and "2026-07-14" in str(refused.value)
    assert [n for n, _ in _published(engine)] == [N13, N14]


def test_the_night_s_day_is_checked_again_under_the_publishing_lock(
        settings: Settings, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 7, 13, 1, 0, tzinfo=UTC))
    opened = steps.open_night(drop, N13, settings)            # 13 July, 09:00 in Shanghai: may run
    outcomes = [steps.ingest_file(opened.manifest, f.file, settings) for f in opened.manifest.files]
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 7, 12, 1, 0, tzinfo=UTC))   # clock set back
    with pytest.raises(NightRefused) as refused:
        steps.publish_night(opened.manifest, outcomes, settings)
    assert [i.code for i in refused.value.issues] == ["night_in_future"]
    assert _published(engine) == []
