"""The night's staging (issue 12): nothing passes between ingest and publish on a local disk.

- A night ingested with one ``CREDIT_HOME`` publishes with another, empty one on the same
  database (as two Airflow workers on two hosts would), and its staging is empty afterwards.
- Ingesting a file again replaces its staging (a re-run after a crash), never doubles it.
- Staging lost before publish (a server crash empties the UNLOGGED tables) refuses the night
  with ``staging_missing``; running the night again publishes it.
- A refused night keeps its staging: publish alone succeeds once the cause is fixed.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.contract.manifest import read_manifest
from credit.night import steps
from credit.night.issues import NightRefused
from credit.night.staging import clear_published
from credit.settings import Settings
from tests.dropkit import code, csv_file, registration_row, write_night

N13 = date(2026, 7, 13)
ROWS = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(10)]
BAD = [dict(registration_row(code(body="MA2B3C99")), established_on="2026-02-30")]
STAGING = ("night_staging_files", "night_staging_registration", "night_staging_quarantine")


def _staged(engine: Engine) -> dict[str, int]:
    with engine.connect() as c:
        return {t: int(c.execute(sa.text(f"select count(*) from {t}")).scalar_one()) for t in STAGING}


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_ingested_with_one_home_published_with_another_empty_home(settings: Settings, engine: Engine,
                                                                   tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS + BAD)})
    ingesting = settings.model_copy(update={"home": tmp_path / "worker-a"})
    publishing = settings.model_copy(update={"home": tmp_path / "worker-b"})
    manifest = read_manifest(drop, N13)
    steps.open_night(drop, N13, ingesting)
    for f in manifest.files:
        steps.ingest_file(manifest, f.file, ingesting)
    assert _files_under(ingesting.home) == []           # nothing left on the ingesting worker's disk
    assert _staged(engine) == {"night_staging_files": 1, "night_staging_registration": 10, "night_staging_quarantine": 1}
    assert not publishing.home.exists()
    summary = steps.publish_night(read_manifest(drop, N13), None, publishing)
    assert [(f["file"], f["accepted"], f["quarantined"]) for f in summary["files"]] == [("registration.csv", 10, 1)]
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from registration")).scalar() == 10
        assert c.execute(sa.text("select line, rule from quarantine")).all() == [(12, "date_exists")]
    assert _staged(engine) == dict.fromkeys(STAGING, 0)  # the night's staging is deleted after the commit


def test_ingesting_a_file_again_replaces_its_staging(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS + BAD)})
    manifest = read_manifest(drop, N13)
    first = steps.ingest_file(manifest, "registration.csv", settings)
    again = steps.ingest_file(manifest, "registration.csv", settings)
    assert (again.accepted, again.quarantined) == (first.accepted, first.quarantined) == (10, 1)
    assert _staged(engine) == {"night_staging_files": 1, "night_staging_registration": 10, "night_staging_quarantine": 1}
    assert [o.as_dict() | {"seconds": 0} for o in steps.staged_outcomes(manifest, settings)] == \
        [again.as_dict() | {"seconds": 0}]


@pytest.mark.parametrize("lost", ["night_staging_registration", "night_staging_files"])
def test_lost_staging_refuses_the_night_and_a_rerun_publishes_it(lost: str, settings: Settings, engine: Engine,
                                                                 tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    manifest = read_manifest(drop, N13)
    outcomes = [steps.ingest_file(manifest, f.file, settings) for f in manifest.files]
    with engine.begin() as c:                           # what a server crash does to UNLOGGED tables
        c.execute(sa.text(f"truncate {lost}"))
    with pytest.raises(NightRefused) as refused:
        steps.publish_night(manifest, outcomes, settings)
    assert [(i.file, i.code) for i in refused.value.issues] == [("registration.csv", "staging_missing")]
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 0
    steps.run_night(drop, N13, settings)
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from registration")).scalar() == 10
    assert _staged(engine) == dict.fromkeys(STAGING, 0)


def test_publishing_clears_earlier_abandoned_staging_and_keeps_later_nights(settings: Settings, engine: Engine,
                                                                            tmp_path: Path) -> None:
    drop, other = tmp_path / "drop", tmp_path / "other"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    write_night(other, N13, {"registration.csv": csv_file("registration", "full", ROWS[:5])})  # abandoned
    write_night(drop, date(2026, 7, 14), {"registration.csv": csv_file("registration", "delta", ROWS[:1])})
    steps.ingest_file(read_manifest(other, N13), "registration.csv", settings)
    later = read_manifest(drop, date(2026, 7, 14))
    steps.ingest_file(later, "registration.csv", settings)
    steps.run_night(drop, N13, settings)
    with engine.connect() as c:
        left = c.execute(sa.text("select night, digest from night_staging_files")).all()
    assert left == [(later.night, later.digest)]        # only the night still to come


def test_a_refused_night_keeps_its_staging_and_publish_alone_succeeds_later(settings: Settings, engine: Engine,
                                                                             tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", ROWS)})
    write_night(drop, date(2026, 7, 14), {"registration.csv": csv_file("registration", "delta", ROWS[:1])})
    n14 = read_manifest(drop, date(2026, 7, 14))
    steps.ingest_file(n14, "registration.csv", settings)
    with pytest.raises(NightRefused, match="night_gap"):  # 13, delivered too, is not published yet
        steps.publish_night(n14, None, settings)
    assert _staged(engine)["night_staging_registration"] == 1   # refused: its staging stays
    steps.run_night(drop, N13, settings)                # the cause fixed: 13 published
    steps.publish_night(n14, None, settings)            # then 14's publish alone, from its staging
    assert _staged(engine) == dict.fromkeys(STAGING, 0)


def _bytes(engine: Engine, table: str) -> int:
    with engine.connect() as c:
        return int(c.execute(sa.text("select pg_relation_size(cast(:t as regclass))"), {"t": table}).scalar_one())


def test_publishing_truncates_emptied_staging_unless_another_run_holds_it_or_rows_remain(
        settings: Settings, engine: Engine, tmp_path: Path) -> None:
    """Staging tables left empty by a published night give their pages back (truncated); one still
    holding a later night's rows keeps them, and one another run holds (longer than the 2 s waited
    for) is left as it is."""
    drop = tmp_path / "drop"
    rows = [registration_row(code(body=f"MA2B3D{i:02d}")) for i in range(40)]
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", rows)})
    write_night(drop, date(2026, 7, 14), {"registration.csv": csv_file("registration", "delta", rows[:1])})
    write_night(drop, date(2026, 7, 15), {"registration.csv": csv_file("registration", "delta", rows[1:2])})
    steps.ingest_file(read_manifest(drop, date(2026, 7, 14)), "registration.csv", settings)
    steps.run_night(drop, N13, settings)
    assert _bytes(engine, "night_staging_registration") > 0            # night 14's row is still staged
    assert _staged(engine)["night_staging_registration"] == 1
    steps.run_night(drop, date(2026, 7, 14), settings)
    assert _bytes(engine, "night_staging_registration") == 0           # nothing left: truncated
    # Night 15 is ingested; meanwhile another run holds the table: publishing neither waits nor fails.
    steps.ingest_file(read_manifest(drop, date(2026, 7, 15)), "registration.csv", settings)
    with engine.connect() as other:
        other.execute(sa.text("lock table night_staging_registration in access share mode"))
        summary = steps.run_night(drop, date(2026, 7, 15), settings)
        assert summary["night"] == "2026-07-15"
        other.rollback()
    assert _staged(engine)["night_staging_registration"] == 0
    assert _bytes(engine, "night_staging_registration") > 0            # deleted, not truncated: it was held


def test_a_staging_table_held_briefly_is_still_truncated(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    """A lock held for a moment when the night clears its staging — autovacuum's, which a first
    night's million-row load draws right after the COPY — is waited for (up to 2 s), and the table
    is truncated. Taken with nowait, the table was only emptied by a delete, and a 1 M first night
    left ~400 MB of deleted rows until the next night (benchmarks.night, stop 37)."""
    drop = tmp_path / "drop"
    rows = [registration_row(code(body=f"MA2B3E{i:02d}")) for i in range(40)]
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", rows)})
    steps.ingest_file(read_manifest(drop, N13), "registration.csv", settings)
    assert _bytes(engine, "night_staging_registration") > 0
    held = threading.Event()

    def hold_for_a_moment() -> None:
        with engine.connect() as other:
            other.execute(sa.text("lock table night_staging_registration in share update exclusive mode"))
            held.set()
            time.sleep(0.6)
            other.rollback()

    holder = threading.Thread(target=hold_for_a_moment)
    holder.start()
    assert held.wait(10)
    emptied = clear_published(engine, N13)          # as publishing N13 ends, the lock still held
    holder.join()
    assert "night_staging_registration" in emptied
    assert _staged(engine)["night_staging_registration"] == 0
    assert _bytes(engine, "night_staging_registration") == 0            # truncated once the holder let go
