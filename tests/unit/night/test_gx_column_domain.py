"""A column metric's domain is that column alone (issue 11 stop 41:
``credit.night.suites.column_domain_records``), and every result stays the one Great Expectations
gives over the whole batch."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from credit.contract.sources import SOURCES
from credit.night import normalise, quality, suites
from credit.settings import bundled
from tests.unit.night.gx_results import suite_results

#: Every column gets each value, so each row expectation sees rows it accepts, rejects and misses.
VALUES = [None, "x", "2026-07-01", "123", "91350100M000100Y43", "true", "  ", "A" * 300, "-5", "2026-13"]
SUITED = sorted(s for s in SOURCES if (bundled("expectations") / f"{s}.json").exists())


def _frame(source: str) -> pd.DataFrame:
    rows = [{c: v for c in SOURCES[source].column_names} for v in VALUES * 3]
    # an index that is not 0..n-1: the unexpected index list is the index's values
    return pd.DataFrame(rows, index=range(1000, 1000 + 7 * len(rows), 7)).astype(normalise.ARROW_STRING)


def _results(source: str) -> list[dict[str, Any]]:
    return suite_results(source, _frame(source))


def _gx_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine

    monkeypatch.setattr(PandasExecutionEngine, "get_domain_records",
                        PandasExecutionEngine.get_domain_records.__wrapped__)


@pytest.mark.parametrize("source", SUITED)
def test_the_results_are_gx_own(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    suites.batch_definition()
    one = _results(source)
    with monkeypatch.context() as m:
        _gx_own(m)
        whole = _results(source)
    assert one == whole
    assert any(r["result"].get("unexpected_index_list") for r in one)   # the frame has failing rows
    assert not any((r.get("exception_info") or {}).get("raised_exception") for r in one)


@pytest.mark.parametrize("source", ["registration", "annual_reports"])
def test_the_rows_held_are_the_same(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    frame, suite = _frame(source), bundled("expectations") / f"{source}.json"

    def held() -> tuple[list[str], list[str]]:
        reasons, rules = quality.check_rows(frame, SOURCES[source], date(2026, 7, 13), suite).found.joined()
        return reasons.tolist(), rules.tolist()

    one = held()
    with monkeypatch.context() as m:
        _gx_own(m)
        whole = held()
    assert one == whole and any(one[0])


def test_a_column_domain_is_the_column_alone() -> None:
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine

    suites.batch_definition()
    seen: list[tuple[dict[str, Any], list[str]]] = []
    patched = PandasExecutionEngine.get_domain_records

    def recorded(self: PandasExecutionEngine, domain_kwargs: dict[str, Any]) -> Any:
        data = patched(self, domain_kwargs)
        seen.append((dict(domain_kwargs), list(data.columns)))
        return data

    with pytest.MonkeyPatch.context() as m:
        m.setattr(PandasExecutionEngine, "get_domain_records", recorded)
        _results("registration")
    columns = SOURCES["registration"].column_names
    by_column = [(k["column"], cols) for k, cols in seen if "column" in k]
    assert by_column and all(cols == [c] for c, cols in by_column)   # before: every column of the batch
    assert all(cols == list(columns) for k, cols in seen if "column" not in k)   # the table's domain: whole


def test_other_domains_are_gx_own() -> None:
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine

    suites.batch_definition()
    engine = PandasExecutionEngine()
    frame = pd.DataFrame({"a": ["1", None, "3"], "b": [None, None, "z"]}).astype(normalise.ARROW_STRING)
    engine.load_batch_data("b1", engine.get_batch_data(_batch_spec(frame)))
    assert list(engine.get_domain_records({"column": "a"}).columns) == ["a"]
    assert engine.get_domain_records({"column": "a"}).index.tolist() == [0, 1, 2]
    assert list(engine.get_domain_records({}).columns) == ["a", "b"]
    pair = engine.get_domain_records({"column_A": "a", "column_B": "b", "ignore_row_if": "either_value_is_missing"})
    assert list(pair.columns) == ["a", "b"] and pair.index.tolist() == [2]
    listed = engine.get_domain_records({"column_list": ["a", "b"], "ignore_row_if": "all_values_are_missing"})
    assert listed.index.tolist() == [0, 2]
    with pytest.raises(KeyError):   # a column the batch does not hold: GX's own outcome, not ours
        engine.get_domain_records({"column": "c"})["c"]


def _batch_spec(frame: pd.DataFrame) -> Any:
    from great_expectations.core.batch_spec import RuntimeDataBatchSpec

    return RuntimeDataBatchSpec(batch_data=frame)
