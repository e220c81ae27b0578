"""The schema check's head (credit.schema.head_revision, read from the scripts' lines without
importing Alembic) is Alembic's head, and a script it cannot read sends it to Alembic."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from credit import schema

SCRIPT = '''"""a test revision"""
{identity}


def upgrade() -> None:
    pass
'''


def _scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(schema.MIGRATIONS, tmp_path / "migrations", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(schema, "MIGRATIONS", tmp_path / "migrations")
    return tmp_path / "migrations" / "versions"


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    assert schema.head_revision.__wrapped__() == schema.alembic_head()


def test_a_new_script_is_the_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    versions = _scripts(tmp_path, monkeypatch)
    head = schema.head_revision.__wrapped__()
    (versions / "9999_next.py").write_text(SCRIPT.format(
        identity=f'revision = "9999_next"\ndown_revision = "{head}"'), encoding="utf-8")
    assert schema.head_revision.__wrapped__() == "9999_next" == schema.alembic_head()


def test_a_script_written_otherwise_is_read_by_alembic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    versions = _scripts(tmp_path, monkeypatch)
    head = schema.head_revision.__wrapped__()
    (versions / "9999_typed.py").write_text(SCRIPT.format(
        identity=f'revision: str = "9999_typed"\ndown_revision: str | None = "{head}"'), encoding="utf-8")
    assert schema.head_revision.__wrapped__() == "9999_typed"   # Alembic's answer, not the lines'


def test_two_heads_are_not_guessed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    versions = _scripts(tmp_path, monkeypatch)
    head = schema.head_revision.__wrapped__()
    for name in ("9999_a", "9999_b"):
        (versions / f"{name}.py").write_text(SCRIPT.format(
            identity=f'revision = "{name}"\ndown_revision = "{head}"'), encoding="utf-8")
    with pytest.raises(Exception, match="head"):
        schema.head_revision.__wrapped__()
