"""A file ingested in chunks (issue 11) stages what one chunk stages: the same accepted rows, the same
quarantined lines with their rules and reasons, the same outcome and Great Expectations results;
a duplicated key whose copies fall into two chunks is still found; a file refused in a later
chunk stages nothing of its earlier chunks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.contract.manifest import read_manifest
from credit.night import steps
from credit.sample import write_sample
from credit.settings import Settings
from tests.db.night.stagingkit import ingest_in_chunks, staged_state
from tests.dropkit import code, csv_file, registration_row, write_night

N13 = date(2026, 7, 13)


def test_a_file_in_many_chunks_stages_what_one_chunk_stages(settings: Settings, engine: Engine,
                                                             tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_sample(drop, 300, 1, seed=5, defect_rate=0.05)   # every source, csv and parquet, with defects
    whole = ingest_in_chunks(drop, settings, 1_000_000)
    one = staged_state(engine)
    assert any(r[2] == "duplicate_row" for r in one["held"])   # the case the chunks must not lose
    assert {f["file"] for f in whole if f["quarantined"]} and one["rows"]
    chunks = ingest_in_chunks(drop, settings, 37)
    assert chunks == whole
    staged = staged_state(engine)
    for a, b in zip(staged["files"], one["files"], strict=True):
        for x, y in zip(a[2] or [], b[2] or [], strict=True):
            assert x == y, a[0]
    assert staged == one


def test_files_ingested_in_worker_processes_stage_what_one_process_stages(settings: Settings, engine: Engine,
                                                                         tmp_path: Path) -> None:
    """``credit nightly`` ingests a large drop's files in ``ingest_processes`` spawned workers (issue
    11): each file is staged by its own transaction, so the staging is the same as one file after
    another in the night's process."""
    drop = tmp_path / "drop"
    write_sample(drop, 300, 1, seed=5, defect_rate=0.05)
    manifest = read_manifest(drop, N13)
    sequential = settings.model_copy(update={"ingest_chunk_rows": 37, "ingest_processes": 1})
    said: list[str] = []
    steps.ingest_files(manifest, sequential, said.append)
    one = staged_state(engine)
    assert said == [f"ingesting {f.file}" for f in manifest.files]
    parallel = sequential.model_copy(update={"ingest_processes": 2})
    said.clear()
    steps.ingest_files(manifest, parallel, said.append)
    assert said[0] == f"ingesting {len(manifest.files)} files in 2 processes"
    assert sorted(said[1:]) == sorted(f"ingested {f.file}" for f in manifest.files)
    assert staged_state(engine) == one


def test_a_duplicated_key_straddling_two_chunks_is_found(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    rows = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(6)]
    exact = dict(rows[1])                                     # line 3 again at line 8: an exact copy
    conflicting = dict(rows[2], name="另一家公司")              # line 4's key with another name at line 9
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", rows + [exact, conflicting])})
    for chunk_rows in (1_000, 3):
        [out] = ingest_in_chunks(drop, settings, chunk_rows)
        assert (out["accepted"], out["quarantined"]) == (5, 3)
        with engine.connect() as c:
            held = c.execute(sa.text("select line, rule, reason from night_staging_quarantine order by line")).all()
            lines = c.execute(sa.text("select line from night_staging_registration order by line")).scalars().all()
        assert [(h[0], h[1]) for h in held] == [(4, "conflicting_duplicate_key"), (8, "duplicate_row"),
                                                (9, "conflicting_duplicate_key")]
        assert "第 3 行" in held[1][2]
        assert lines == [2, 3, 5, 6, 7]


def test_a_file_refused_in_a_later_chunk_stages_none_of_its_chunks(settings: Settings, engine: Engine,
                                                                   tmp_path: Path) -> None:
    rows = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(8)]
    name, entry = "registration.csv", csv_file("registration", "full", rows)
    drop = tmp_path / "drop"
    folder = write_night(drop, N13, {name: entry})
    data = (folder / name).read_bytes() + "9,坏\n".encode("gb18030")   # not UTF-8, on the file's last line
    write_night(drop, N13, {name: (entry[0], entry[1], data, entry[3], entry[4] + 1)})
    [out] = ingest_in_chunks(drop, settings, 2)
    assert [(f["code"], f["line"]) for f in out["failures"]] == [("encoding_mismatch", 10)]
    staged = staged_state(engine)
    assert staged["rows"] == [] and staged["held"] == [] and len(staged["files"]) == 1
