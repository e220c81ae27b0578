"""Reading a night's manifest (credit.contract.manifest, contracts.md §1): refusals name the right file."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from credit.contract.manifest import DropError, read_manifest

NIGHT = date(2026, 7, 13)


def _drop(tmp_path: Path, files: dict[str, str]) -> Path:
    """A drop whose manifest lists ``files`` (name → declared source), in this order."""
    folder = tmp_path / NIGHT.isoformat()
    folder.mkdir(parents=True)
    entries = {}
    for name, source in files.items():
        content = b"x\n"
        (folder / name).write_bytes(content)
        entries[name] = {"source": source, "mode": "full", "rows": 0, "encoding": "utf-8",
                         "sha256": hashlib.sha256(content).hexdigest()}
    (folder / "manifest.json").write_text(json.dumps({"night": NIGHT.isoformat(), "files": entries}))
    return tmp_path


@pytest.mark.parametrize("files, blamed, other", [
    # findings.csv declared as penalties: findings.csv repeats the source, whatever the order
    ({"penalties.csv": "penalties", "findings.csv": "penalties"}, "findings.csv", "penalties.csv"),
    ({"findings.csv": "penalties", "penalties.csv": "penalties"}, "findings.csv", "penalties.csv"),
    # neither named after the source: the later one in the manifest repeats it
    ({"b.csv": "penalties", "a.csv": "penalties"}, "a.csv", "b.csv"),
    ({"penalties.parquet": "penalties", "penalties.csv": "penalties"}, "penalties.csv", "penalties.parquet"),
])
def test_a_repeated_source_names_the_file_that_repeats_it_and_the_one_that_has_it(
        tmp_path: Path, files: dict[str, str], blamed: str, other: str) -> None:
    with pytest.raises(DropError) as e:
        read_manifest(_drop(tmp_path, files), NIGHT)
    found = e.value.issue
    assert (found.file, found.code) == (blamed, "duplicate_source")
    assert other in found.text() and "penalties" in found.text()
