"""Test settings with one bureau setting changed in a copy of the configuration folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from credit.settings import Settings


def grading_chunks(settings: Settings, folder: Path, size: int) -> Settings:
    """``settings`` with grading.yaml's ``database.chunk_entities`` set to ``size``, in a copy of its
    configuration under ``folder`` (the chunk size is part of grading's configuration version)."""
    config = folder / f"config-chunks-{size}"
    shutil.copytree(settings.config_dir, config)
    path = config / "grading.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\ndatabase:\n" in text
    path.write_text(text.replace("\ndatabase:\n", f"\ndatabase:\n  chunk_entities: {size}\n"), encoding="utf-8")
    return settings.model_copy(update={"config_dir": config})
