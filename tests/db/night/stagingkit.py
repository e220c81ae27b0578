"""A night's files ingested in chunks, and what that left in staging read back for comparison.

Shared by the chunk and duplicate tests: both ingest one drop in different ways and expect the
same staged rows, held-back rows and file outcomes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.contract.manifest import read_manifest
from credit.contract.sources import SOURCES
from credit.night import steps
from credit.night.staging import staging_table
from credit.settings import Settings

N13 = date(2026, 7, 13)


def ingest_in_chunks(drop: Path, settings: Settings, chunk_rows: int, night: date = N13) -> list[dict[str, Any]]:
    """Ingest every file of ``drop``'s night ``chunk_rows`` records at a time; each file's outcome
    with its timing zeroed, so that two ways of ingesting compare equal."""
    chunked = settings.model_copy(update={"ingest_chunk_rows": chunk_rows})
    manifest = read_manifest(drop, night)
    return [dict(steps.ingest_file(manifest, f.file, chunked).as_dict(), seconds=0) for f in manifest.files]


def staged_state(engine: Engine) -> dict[str, Any]:
    """Every staged row (without night, digest, file and line), every held-back row and every
    file's outcome (without its timing), in a stable order."""
    with engine.connect() as c:
        rows = sorted(r for source in SOURCES.values() for r in c.execute(sa.text(
            f"select file, line, (to_jsonb(r) - 'night' - 'digest' - 'file' - 'line')::text "
            f"from {staging_table(source)} r")).all())
        held = c.execute(sa.text("select file, line, rule, reason, raw::text from night_staging_quarantine "
                                 "order by file, line")).all()
        files = c.execute(sa.text("select file, outcome - 'seconds', expectations from night_staging_files "
                                  "order by file")).all()
    return {"rows": rows, "held": held, "files": files}
