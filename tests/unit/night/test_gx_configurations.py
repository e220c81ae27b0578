"""Great Expectations' expectation configurations are built once per expectation object while one
validation plans and judges it (issue 11: ``credit.night.suites.keep_configurations``), never
outside that scope, and every result stays the one GX's own property gives."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from credit.contract.sources import SOURCES
from credit.night import normalise, suites
from credit.settings import bundled
from tests.unit.night.gx_results import suite_results

#: Every column gets each value, so each row expectation sees rows it accepts, rejects and misses.
VALUES = [None, "x", "2026-07-01", "123", "91350100M000100Y43", "true", "  ", "A" * 300]


def _frame(source: str) -> pd.DataFrame:
    rows = [{c: v for c in SOURCES[source].column_names} for v in VALUES]
    return pd.DataFrame(rows).astype(normalise.ARROW_STRING)


def _results(source: str) -> list[dict[str, Any]]:
    return suite_results(source, _frame(source))


def _gx_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from great_expectations.validator.validator import Validator

    monkeypatch.setattr(Validator, "graph_validate", Validator.graph_validate.__wrapped__)


@pytest.mark.parametrize("source", ["registration", "annual_reports", "tax"])
def test_the_results_are_gx_own(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    suites.batch_definition()
    kept = _results(source)
    with monkeypatch.context() as m:
        _gx_own(m)
        own = _results(source)
    assert kept == own
    assert any(r["result"].get("unexpected_index_list") for r in kept)   # the frame has failing rows
    assert not any((r.get("exception_info") or {}).get("raised_exception") for r in kept)


def test_a_validation_builds_each_configuration_once_per_object(monkeypatch: pytest.MonkeyPatch) -> None:
    from great_expectations.expectations.expectation import Expectation

    suites.batch_definition()
    builds = {"n": 0}
    dict_of = Expectation.dict

    def counted(self: Expectation, *args: Any, **kwargs: Any) -> Any:
        builds["n"] += 1
        return dict_of(self, *args, **kwargs)

    monkeypatch.setattr(Expectation, "dict", counted)
    _results("registration")
    kept = builds["n"]
    builds["n"] = 0
    with monkeypatch.context() as m:
        _gx_own(m)
        _results("registration")
    own = builds["n"]
    assert kept * 4 < own, (kept, own)   # measured: 2,053 builds a validation without, about 250 with


def test_outside_a_validation_each_read_builds_a_new_configuration() -> None:
    from great_expectations.expectations.expectation import Expectation

    suites.batch_definition()
    suite = suites.load_suite(str(bundled("expectations") / "tax.json"))
    e = suite.expectations[0]
    assert isinstance(e, Expectation)
    first = e.configuration
    assert e.configuration is not first and e.configuration == first
    first.kwargs["column"] = "changed"   # a caller's change stays in its copy
    assert e.configuration.kwargs["column"] != "changed"
    _results("tax")
    assert suites._kept.configurations is None   # the scope closed with the validation


def test_the_scope_closes_when_a_validation_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from great_expectations.validator.validator import Validator

    suites.batch_definition()

    def broken(*_: Any, **__: Any) -> Any:
        assert suites._kept.configurations == {}
        raise RuntimeError("boom")

    monkeypatch.setattr(Validator, "_generate_metric_dependency_subgraphs_for_each_expectation_configuration", broken)
    with pytest.raises(RuntimeError, match="boom"):
        _results("tax")
    assert suites._kept.configurations is None


def test_wrapping_twice_keeps_one_scope() -> None:
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.validator.validator import Validator

    suites.batch_definition()
    first = Validator.graph_validate, Expectation.__dict__["configuration"]
    suites.keep_configurations()
    assert (Validator.graph_validate, Expectation.__dict__["configuration"]) == first
