"""Great Expectations' expectation type names are computed once per class name, not on every
configuration it builds (issue 11: ``credit.night.suites.memoise_type_names``), and stay the
names the uncached function gives (the suites' results name their expectations by them)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from credit.contract.sources import SOURCES
from credit.night import normalise, quality, suites
from credit.settings import bundled

NIGHT = date(2026, 7, 13)


def test_a_validation_reads_the_type_names_from_the_cache() -> None:
    from great_expectations import util
    from great_expectations.expectations import expectation

    suites.batch_definition()
    cached = expectation.camel_to_snake
    assert hasattr(cached, "cache_info"), "memoise_type_names did not wrap camel_to_snake"
    frame = pd.DataFrame([{c: None for c in SOURCES["tax"].column_names}]).astype(normalise.ARROW_STRING)
    before = cached.cache_info().hits
    checked = quality.check_rows(frame, SOURCES["tax"], NIGHT, bundled("expectations") / "tax.json")
    assert cached.cache_info().hits > before
    suite = json.loads((bundled("expectations") / "tax.json").read_text(encoding="utf-8"))
    assert sorted(p.type for p in checked.partials) == sorted(e["type"] for e in suite["expectations"])
    for p in checked.partials:   # the class name back to the type, as the uncached function spells it
        name = "".join(w.capitalize() for w in p.type.split("_"))
        assert cached(name) == util.camel_to_snake(name) == p.type


def test_wrapping_twice_keeps_one_cache() -> None:
    from great_expectations.expectations import expectation

    suites.memoise_type_names()
    first = expectation.camel_to_snake
    suites.memoise_type_names()
    assert expectation.camel_to_snake is first
