"""Text identifiers are normalised as an id list's items are (contracts.md §1: "Real files also
carry full-width digits … normalise what is unambiguous"; outsider's report M2): a case number
`` P１ `` is the case P1, not a second one beside it, and an inspector ``I０01`` is the I001 that
inspection_results' inspector_ids names. Free text (names, addresses) keeps its characters."""

from __future__ import annotations

import pyarrow as pa
import pytest

from credit.contract.sources import SOURCES
from credit.night import normalise


def _canonical(source: str, row: dict[str, str]) -> dict[str, object]:
    names = SOURCES[source].column_names
    raw = pa.Table.from_pylist([{c: row.get(c, "") for c in names}],
                               schema=pa.schema([(c, pa.string()) for c in names]))
    return dict(normalise.normalise(raw, SOURCES[source]).iloc[0])


@pytest.mark.parametrize("source, column, value, canonical", [
    ("penalties", "case_no", " P１ ", "P1"),
    ("penalties", "case_no", "杭西市监罚〔２０２６〕17号", "杭西市监罚〔2026〕17号"),
    ("findings", "finding_id", "Ｆ-2026-001", "F-2026-001"),
    ("inspection_results", "task_id", "T２026-0001\u3000", "T2026-0001"),
    ("inspectors", "inspector_id", "I０01", "I001"),
])
def test_a_text_key_is_written_in_ascii(source: str, column: str, value: str, canonical: str) -> None:
    assert _canonical(source, {column: value})[column] == canonical


def test_an_inspector_id_and_the_list_items_naming_it_agree() -> None:
    inspector = _canonical("inspectors", {"inspector_id": "I０01", "name": "王芳"})
    result = _canonical("inspection_results", {"inspector_ids": "I０01;I0002"})
    assert result["inspector_ids"].split(";")[0] == inspector["inspector_id"] == "I001"


def test_free_text_keeps_its_characters() -> None:
    row = _canonical("inspectors", {"inspector_id": "I001", "name": " 王芳Ａ ", "department": "西湖区１所"})
    assert (row["name"], row["department"]) == ("王芳Ａ", "西湖区１所")
    assert not any(c.identifier for c in SOURCES["registration"].columns)   # name, address: free text
