"""Every setting of the pipeline, read in one place (environment variables prefixed ``CREDIT_``).

Business code never asks which environment it runs in: it receives a :class:`Settings`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Settings with documented defaults; each can be set as ``CREDIT_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CREDIT_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the PostgreSQL server. Unset: an embedded server under `home`.",
    )
    home: Path = Field(
        default=Path(".credit"),
        description="Working folder: embedded database, Airflow metadata, night work files, reports.",
    )
    config_dir: Path = Field(
        default=REPO_ROOT / "config",
        description="Folder of the bureau's versioned configuration (thresholds, ratios, calendars).",
    )
    expectations_dir: Path = Field(
        default=REPO_ROOT / "expectations",
        description="Folder of the Great Expectations suites (one JSON file per source).",
    )

    @property
    def work_dir(self) -> Path:
        return self.home.resolve() / "work"

    @property
    def reports_dir(self) -> Path:
        return self.home.resolve() / "reports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
