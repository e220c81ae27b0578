"""Fixtures of the command-line tests that run without a database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def unreachable_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A home of the test's own and a database that cannot be reached: a command that gets past its
    own checks fails there (exit 1, never 2) instead of starting an embedded server, so a refusal
    (exit 2) is known to come before the database."""
    from credit.settings import get_settings

    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CREDIT_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
