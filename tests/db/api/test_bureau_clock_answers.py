"""The API's instants on the bureau's clock (issue 15: one bureau clock): ISO 8601 with the bureau's
offset and whole seconds, as the notices' ``produced_at`` and the certificates' ``issued_at``; never
the database session's UTC rendered by ``str()`` (``2026-12-02 16:50:33.977200+00:00``)."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from tests.db.api.support import live, seed_story  # noqa: F401

BUREAU_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00")


def test_latest_night_finished_at_is_on_the_bureau_clock(live) -> None:  # noqa: F811
    seed_story(live)
    with live.engine.connect() as conn:
        stored = conn.execute(sa.text("select finished_at from night_runs order by night desc limit 1")).scalar_one()
    with live.client("bureau") as h:
        doc = h.get("/v1/bureau/nights/latest").json()
    shown = doc["finished_at"]
    assert BUREAU_INSTANT.fullmatch(shown), shown
    assert datetime.fromisoformat(shown) == stored.replace(microsecond=0)   # the same instant, to the second
