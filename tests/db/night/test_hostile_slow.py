"""The large cases of the hostile corpus (slow, still run by ``make test`` and CI): a 50 MB line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from credit.settings import Settings
from tests.db.night.hostile import Case, big_cases, case_ids
from tests.db.night.test_hostile import run_case

pytestmark = pytest.mark.slow
BIG = big_cases()


@pytest.mark.parametrize("case", BIG, ids=case_ids(BIG))
def test_hostile_large_input(case: Case, settings: Settings, engine: Engine, tmp_path: Path) -> None:
    run_case(case, settings, engine, tmp_path)
