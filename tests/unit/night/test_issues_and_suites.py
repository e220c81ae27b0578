"""Issues as records, the quarantine's reason table and the bundled suites: the night's parts that need no database."""

from __future__ import annotations

import json
from pathlib import Path

from credit.contract.sources import SOURCES


def test_an_issue_renders_file_line_texts_and_rule_and_travels_as_json() -> None:
    from credit.issues import Issue, split_text
    from credit.night.records import FileOutcome

    found = Issue(code="encoding_mismatch", level="refusal", file="tax.csv", line=7, zh="不是 utf-8 编码",
                  en="not valid utf-8")
    assert found.text() == "tax.csv: 第 7 行：不是 utf-8 编码 (line 7: not valid utf-8) [encoding_mismatch]"
    assert str(Issue(code="c", level="warning", file="f.csv", zh="甲", en="a")) == "f.csv: 甲 (a) [c]"
    outcome = FileOutcome("tax.csv", "tax", "full", "0" * 64, 3, 2, 1, failures=[found], seconds=0.5)
    doc = json.loads(json.dumps(outcome.as_dict()))
    assert doc["failures"] == [{"code": "encoding_mismatch", "level": "refusal", "file": "tax.csv", "line": 7,
                                "zh": "不是 utf-8 编码", "en": "not valid utf-8"}]
    assert FileOutcome.from_dict(doc) == outcome
    assert split_text("代码格式不正确 (code does not match ^[A-T](?:\\d{2})?$)") == (
        "代码格式不正确", "code does not match ^[A-T](?:\\d{2})?$")


def test_quarantine_reasons_come_from_one_table_in_the_stored_wording() -> None:
    from credit.night.quarantine import reason

    assert reason("date_exists", column="established_on") == "established_on：日期不存在 (no such calendar day)"
    assert reason("duplicate_row", first_line=3) == "与第 3 行完全重复 (exact duplicate)"
    assert reason("date_not_after_night", column="filed_on", night="2026-07-13") == (
        "filed_on：日期晚于批次日期 2026-07-13 (date is in the future of the night)")


def test_the_bundled_suites_are_the_contract_written_out(tmp_path: Path) -> None:
    from credit.night.suites import write_suite
    from credit.settings import bundled

    for source in SOURCES.values():
        written = write_suite(source, tmp_path)
        assert written.read_bytes() == (bundled("expectations") / written.name).read_bytes(), source.name


def test_a_chunk_is_validated_without_fingerprinting_it() -> None:
    """Great Expectations hashes every pandas batch it is given unless told otherwise (issue 11):
    the night's context is made with the fingerprint off, and a chunk's batch carries none."""
    import pandas as pd

    from credit.night import suites

    batch = suites.batch_definition().get_batch(batch_parameters={"dataframe": pd.DataFrame({"a": ["1", "2"]})})
    assert "pandas_data_fingerprint" not in batch.batch_markers
