"""Great Expectations' metric ids are kept by their kwargs' exact content (issue 11:
``credit.night.suites.memoise_metric_ids``) and stay the ids GX's own method gives."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from credit.contract.sources import SOURCES
from credit.night import normalise, quality, suites
from credit.settings import bundled


def _own() -> Any:
    from great_expectations.core.id_dict import IDDict

    suites.batch_definition()
    cells = [c.cell_contents for c in IDDict.to_id.__closure__ or ()]
    return next(c for c in cells if callable(c) and c.__name__ == "to_id")


@pytest.mark.parametrize("source", ["registration", "annual_reports", "tax"])
def test_every_id_of_a_validation_is_gx_own(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from great_expectations.core.id_dict import IDDict

    own = _own()
    memoised = IDDict.to_id
    seen: list[tuple[str, Any]] = []

    def compared(self: IDDict, id_keys: Any = None, id_ignore_keys: Any = None) -> Any:
        got = memoised(self, id_keys, id_ignore_keys)
        seen.append((repr(dict(self)), got))
        assert got == own(self, id_keys, id_ignore_keys), dict(self)
        return got

    monkeypatch.setattr(IDDict, "to_id", compared)
    frame = pd.DataFrame([{c: v for c in SOURCES[source].column_names} for v in (None, "x", "2026-07-01")])
    for _ in range(2):   # the second validation reads the ids the first one kept
        quality.check_rows(frame.astype(normalise.ARROW_STRING), SOURCES[source], date(2026, 7, 13),
                           bundled("expectations") / f"{source}.json")
    assert len(seen) > 500 and any("value_set" in k or "regex" in k for k, _ in seen)


def test_an_id_follows_its_content() -> None:
    from great_expectations.core.id_dict import IDDict

    own = _own()
    d = IDDict({"column": "uscc", "batch_id": "drop-frame", "row_condition": None})
    first = d.to_id()
    assert first == own(d)
    d["column"] = "name"   # changed after it was kept: another id
    assert d.to_id() == own(d) != first
    one, true = IDDict({"a": 1, "b": None}), IDDict({"a": True, "b": None})
    assert one.to_id() == own(one) and true.to_id() == own(true)
    nested = IDDict({"value_set": ["A", "B"], "result_format": {"result_format": "COMPLETE"}})
    ids = nested.to_id()
    nested["value_set"].append("C")
    assert nested.to_id() == own(nested) != ids


def test_other_values_are_never_kept() -> None:
    import numpy as np
    from great_expectations.core.id_dict import IDDict

    _own()
    before = len(suites._metric_ids)
    for d in (IDDict({"a": 0.0, "b": 1}), IDDict({"a": -0.0, "b": 1}), IDDict({"a": np.int64(1), "b": 1}),
              IDDict({"a": IDDict({"x": 1}), "b": 1})):
        d.to_id()
    assert len(suites._metric_ids) == before
    with pytest.raises(suites._Unplain):
        suites._plain_key({"a": 0.5})


def test_wrapping_twice_keeps_one_cache() -> None:
    from great_expectations.core.id_dict import IDDict

    _own()
    first = IDDict.to_id
    suites.memoise_metric_ids()
    assert IDDict.to_id is first


def test_a_list_of_texts_and_a_list_of_frozen_values_are_other_keys() -> None:
    texts = suites._plain_key(["a", "b"])
    assert texts != suites._plain_key([("a",), "b"]) and texts != suites._plain_key(["a", None])
    assert texts != suites._plain_key(("a", "b"))
    assert suites._plain_key(["a", 1]) != suites._plain_key(["a", True])
