"""The row rules' Arrow readings (issue 11, ingest's CPU per row) read what pandas read before."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit.night.quality import ARROW_STRING, _holding_nul, _year_numbers

YEARS = [
    ["2025", "2026", None, "0123", "2027"],                       # plain digits: Arrow's cast
    ["2025", "+2026", "1e3", "x", None, "2026.5", "-1", "٢٠٢٦"],   # any other text: pandas' reading
    [None, None],
    [],
]


@pytest.mark.parametrize("values", YEARS)
@pytest.mark.parametrize("dtype", [ARROW_STRING, object])
def test_year_numbers_are_pandas_numbers(values: list[str | None], dtype: object) -> None:
    s = pd.Series(values, dtype=dtype)
    expected = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    got = _year_numbers(s)
    assert got.dtype == np.float64
    assert np.array_equal(got, expected, equal_nan=True)


@pytest.mark.parametrize("dtype", [ARROW_STRING, object])
def test_holding_nul_is_the_rows_with_a_nul(dtype: object) -> None:
    s = pd.Series(["a\x00b", None, "ab", "", "\x00"], dtype=dtype)
    assert _holding_nul(s).tolist() == [True, False, False, False, True]
