"""What a night's ingest left in staging, read back for comparison (tests of chunked ingest).

Shared by the chunk and duplicate tests: both ingest one drop in different ways and expect the
same staged rows, held-back rows and file outcomes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.contract.sources import SOURCES
from credit.night.staging import staging_table


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
