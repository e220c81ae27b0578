"""The results Great Expectations gives for a source's bundled suite over a frame, as JSON-able
dicts without the expectations' run ids: what the tests of credit.night.suites' shortcuts compare
with and without each shortcut."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from credit.night import quality, suites
from credit.settings import bundled


def suite_results(source: str, frame: pd.DataFrame) -> list[dict[str, Any]]:
    suite = suites.load_suite(str(bundled("expectations") / f"{source}.json"))
    result = suites.batch_definition().get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format=quality.ROW_RESULTS)
    out = []
    for r in result.to_json_dict()["results"]:
        r["expectation_config"].pop("id", None)
        out.append(json.loads(json.dumps(r, sort_keys=True, default=str)))
    return out
