"""Reading a night's manifest (credit.contract.manifest, contracts.md §1): refusals name the right file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

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


# -- refusals read as the manifest was written (hostile review D6) ----------------------------
def _with(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """A valid one-file drop whose manifest ``change`` edits (the reviewer's cases b20–b31)."""
    drop = _drop(tmp_path, {"annual_reports.csv": "annual_reports"})
    path = tmp_path / NIGHT.isoformat() / "manifest.json"
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))
    return drop


def _refusal(drop: Path) -> tuple[str, str, str]:
    with pytest.raises(DropError) as e:
        read_manifest(drop, NIGHT)
    found = e.value.issue
    assert "None" not in found.text() and "True" not in found.text() and "NoneType" not in found.text()
    return found.file, found.code, found.text()


def _entry(key: str, value: object = ...) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        entry = doc["files"]["annual_reports.csv"]
        if value is ...:
            del entry[key]
        else:
            entry[key] = value
    return change


@pytest.mark.parametrize("change, code, shown", [
    (lambda doc: doc.pop("night"), "manifest_night", ["清单日期（night）缺失", "night is missing"]),
    (lambda doc: doc.update(night=None), "manifest_night", ["清单日期（night）为 null", "night is null"]),
    (lambda doc: doc.update(night=20260713), "manifest_night", ["为 20260713", "is 20260713"]),
    (lambda doc: doc.update(night="2026-07-14"), "manifest_night", ['为 "2026-07-14"', "2026-07-13"]),
    (_entry("source", None), "unknown_source", ["source 为 null", "'source' is null", "annual_reports"]),
    (_entry("source"), "unknown_source", ["source 缺失", "'source' is missing"]),
    (_entry("source", ["tax"]), "unknown_source", ['为 ["tax"]']),       # not a traceback (unhashable)
    (_entry("source", "taxes"), "unknown_source", ['为 "taxes"']),
    (_entry("rows", True), "manifest_rows", ["rows 为 true", "'rows' is true"]),
    (_entry("rows", "2"), "manifest_rows", ['rows 为 "2"']),
    (_entry("rows", 2.0), "manifest_rows", ["rows 为 2.0"]),
    (_entry("rows"), "manifest_rows", ["rows 缺失", "'rows' is missing"]),
    (_entry("mode", None), "manifest_mode", ["mode 为 null"]),
    (_entry("mode"), "manifest_mode", ["mode 缺失"]),
    (_entry("encoding"), "manifest_encoding", ["encoding 缺失", "'encoding' is missing"]),
    (_entry("encoding", False), "manifest_encoding", ["encoding 为 false"]),
    (_entry("sha256", None), "sha256_mismatch", ["清单 null"]),
    (_entry("sha256"), "sha256_mismatch", ["清单 (空)"]),
])
def test_a_refusal_shows_the_manifest_value_as_written_in_json_or_says_it_is_missing(
        tmp_path: Path, change: Callable[[dict[str, Any]], None], code: str, shown: list[str]) -> None:
    file, found, text = _refusal(_with(tmp_path, change))
    assert found == code
    assert file == ("manifest.json" if code == "manifest_night" else "annual_reports.csv")
    for part in shown:
        assert part in text


@pytest.mark.parametrize("content, code, shown", [
    (b"", "manifest_empty", ["空文件", "empty"]),
    (b"\xef\xbb\xbf", "manifest_empty", ["BOM", "byte-order mark"]),     # the reviewer's b31: a BOM, nothing after it
    (b"\xef\xbb\xbf \r\n", "manifest_empty", ["BOM"]),
    ('{"night": "2026-07-13", "files": {}}'.encode("utf-16"), "manifest_not_utf8", ["UTF-16"]),
    ('{"night": "2026-07-13", "files": {}}'.encode("utf-16-le"), "manifest_not_utf8", ["NUL", "UTF-16"]),
    ('{"night": "2026-07-13", "files": {}, "注": "中"}'.encode("gb18030"), "manifest_not_utf8",
     ["第 1 行", "0xd6", "line 1"]),
    (b'{"night": "2026-07-13",\n "files": {', "manifest_unreadable", ["第 2 行", "line 2"]),
    (b"[]", "manifest_not_object", ["数组", "array"]),
    (b'"x"', "manifest_not_object", ["字符串", "string"]),
    (b"null", "manifest_not_object", ["null"]),
])
def test_a_manifest_that_cannot_be_read_says_why(tmp_path: Path, content: bytes, code: str, shown: list[str]) -> None:
    folder = tmp_path / NIGHT.isoformat()
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_bytes(content)
    file, found, text = _refusal(tmp_path)
    assert (file, found) == ("manifest.json", code), text
    for part in shown:
        assert part in text


def test_a_manifest_saved_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    """contracts.md §1 allows a BOM in the data files; Windows tools write one into JSON too."""
    drop = _drop(tmp_path, {"annual_reports.csv": "annual_reports"})
    path = tmp_path / NIGHT.isoformat() / "manifest.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert [f.file for f in read_manifest(drop, NIGHT).files] == ["annual_reports.csv"]


def _with_text(tmp_path: Path, edit: Callable[[str], str]) -> Path:
    """A valid one-file drop whose manifest's JSON text ``edit`` rewrites (for what ``json`` cannot write)."""
    drop = _drop(tmp_path, {"annual_reports.csv": "annual_reports"})
    path = tmp_path / NIGHT.isoformat() / "manifest.json"
    path.write_text(edit(path.read_text()))
    return drop


def _file_listed_twice(text: str) -> str:
    """annual_reports.csv listed twice: first with a wrong row count and checksum, then as it is."""
    doc = json.loads(text)
    right = json.dumps(doc["files"]["annual_reports.csv"])
    wrong = json.dumps({**doc["files"]["annual_reports.csv"], "rows": 999, "sha256": "1" * 64})
    return text.replace(f'"annual_reports.csv": {right}', f'"annual_reports.csv": {wrong}, "annual_reports.csv": {right}')


@pytest.mark.parametrize("edit, blamed, shown", [
    # The JSON reader kept the last of repeated keys, so these nights were published as the last said.
    (_file_listed_twice, "annual_reports.csv", ['"annual_reports.csv"', "2 次", "files", "2 times"]),
    (lambda t: t.replace('{"night": ', '{"night": "2026-07-14", "night": ', 1), "manifest.json",
     ['"night"', "2 次", "2 times"]),
    (lambda t: t.replace('"mode": "full"', '"mode": "full", "mode": "delta"', 1), "manifest.json", ['"mode"']),
])
def test_a_key_repeated_in_the_manifest_refuses_the_night(
        tmp_path: Path, edit: Callable[[str], str], blamed: str, shown: list[str]) -> None:
    file, code, text = _refusal(_with_text(tmp_path, edit))
    assert (file, code) == (blamed, "manifest_duplicate_key"), text
    for part in shown:
        assert part in text, text


@pytest.mark.parametrize("name, shown", [
    ("../outside.csv", "「../outside.csv」"),
    ("registration\x00.csv", "「registration\\x00.csv」"),     # a NUL written as its code, not printed
])
def test_a_path_refusal_shows_the_name_in_chinese_quotes_not_as_a_python_repr(
        tmp_path: Path, name: str, shown: str) -> None:
    def rename(doc: dict[str, Any]) -> None:
        doc["files"][name] = doc["files"].pop("annual_reports.csv")
    file, code, text = _refusal(_with(tmp_path, rename))
    assert (file, code) == (name, "manifest_path")
    assert shown in text and repr(name) not in text, text


@pytest.mark.parametrize("header, shown", [
    ("USCC,report_year,filed_on,employees,revenue,total_tax", ["uscc", "「USCC」", "大小写", "letter case"]),
    ("uscc;report_year;filed_on;employees;revenue;total_tax", ["「uscc;report_year", "分隔符", "delimiter"]),
    # the full-width comma of a Chinese input method (，U+FF0C) is another delimiter to the reader
    ("uscc，report_year，filed_on，employees，revenue，total_tax", ["「uscc，report_year", "分隔符", "delimiter"]),
])
def test_a_header_missing_columns_says_what_it_holds_instead(tmp_path: Path, header: str, shown: list[str]) -> None:
    from credit.contract.manifest import read_records

    drop = _drop(tmp_path, {"annual_reports.csv": "annual_reports"})
    folder = tmp_path / NIGHT.isoformat()
    content = (header + "\n").encode()
    (folder / "annual_reports.csv").write_bytes(content)
    doc = json.loads((folder / "manifest.json").read_text())
    doc["files"]["annual_reports.csv"]["sha256"] = hashlib.sha256(content).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(doc))
    with pytest.raises(DropError) as e:
        read_records(read_manifest(drop, NIGHT).file("annual_reports.csv"))
    found = e.value.issue
    assert (found.code, found.line) == ("missing_columns", 1)
    assert "'" not in found.zh, found.text()
    for part in shown:
        assert part in found.text(), found.text()


@pytest.mark.parametrize("chunked", [False, True])
def test_a_row_count_mismatch_names_the_lines_of_records_that_could_not_be_split(tmp_path: Path,
                                                                                  chunked: bool) -> None:
    """A refusal names its line (hostile pass, bbin): a count that disagrees only because of a record
    the file holds but the producer did not count — here a line of spaces after the last row — named
    no line, and the officer had to find it by hand. The lines of the records that could not be split
    (counted as records, contracts.md §1 and docs/night-safety.md) are named; the code stays."""
    from credit.contract.manifest import iter_records, read_records

    drop = _drop(tmp_path, {"annual_reports.csv": "annual_reports"})
    folder = tmp_path / NIGHT.isoformat()
    content = (b"uscc,report_year,filed_on,employees,revenue,total_tax\n"
               b"91110000600037341X,2025,2026-03-11,4,1.00,1.00\n\n   \n")
    (folder / "annual_reports.csv").write_bytes(content)
    doc = json.loads((folder / "manifest.json").read_text())
    doc["files"]["annual_reports.csv"].update(sha256=hashlib.sha256(content).hexdigest(), rows=1)
    (folder / "manifest.json").write_text(json.dumps(doc))
    df = read_manifest(drop, NIGHT).file("annual_reports.csv")
    with pytest.raises(DropError) as e:
        if chunked:
            list(iter_records(df, 1))
        else:
            read_records(df)
    found = e.value.issue
    assert found.code == "row_count_mismatch", found.text()
    assert "第 4 行" in found.zh and "line 4" in found.en, found.text()
