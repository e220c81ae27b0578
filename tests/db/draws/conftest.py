"""The draw tests plan as of AS_OF: the bureau's clock is that day unless a test sets its own."""

from __future__ import annotations

import pytest

from tests.db.draws.helpers import on_bureau_day


@pytest.fixture(autouse=True)
def _plan_day(monkeypatch: pytest.MonkeyPatch) -> None:
    on_bureau_day(monkeypatch)
