"""Accepted rows are staged typed, one UNLOGGED table per source (issue 11, migration 0027).

- Every source has its staging table, with the source's store columns and types (without
  ``first_night``/``last_night``) after the staging key and the line: a later column
  of a source that is not added to its staging table fails here, not in a night.
- Ingest stages the rows typed, and publish reads them from there as they are: a staged row
  changed before publish is what the store gets (there is no JSON copy to read instead).
- The migration moves what is staged: a night ingested before the upgrade (as JSON in
  ``night_staging_rows``) publishes after it, and the downgrade gives the JSON back.
- A source's staging table has no index (migration 0042: a file's COPY keeps none up to date);
  the quarantine's staging, shared by every file, keeps its key's.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import schema
from credit.contract.manifest import read_manifest
from credit.contract.sources import SOURCES
from credit.night import staging, steps
from credit.sample import write_sample
from credit.settings import Settings
from tests.db.migrations import downgrade
from tests.dropkit import code, csv_file, registration_row, write_night

N13 = date(2026, 7, 13)
REVISION, BEFORE = "0027_typed_staging", "0023_chunked_ingest"
EXTRA = [("night", "date"), ("digest", "text"), ("file", "text"), ("line", "bigint")]   # dup_key, dup_row: gone in 0031


def _columns(c: sa.Connection, table: str) -> list[tuple[str, str]]:
    return [(str(n), str(t)) for n, t in c.execute(sa.text(
        "select attname, format_type(atttypid, atttypmod) from pg_attribute "
        "where attrelid = cast(:t as regclass) and attnum > 0 and not attisdropped order by attnum"), {"t": table})]


def _typed(c: sa.Connection) -> dict[str, list[str]]:
    """Every staged accepted row, by source, as the JSON of its typed columns (sorted); the columns
    that found duplicates until migration 0031 (``dup_key``, ``dup_row``) are left out."""
    return {s.name: sorted(c.execute(sa.text(
        f"select (to_jsonb(r) - 'dup_key' - 'dup_row')::text from {staging.staging_table(s)} r"))
                           .scalars()) for s in SOURCES.values()}


def test_every_source_has_a_typed_staging_table_with_its_store_columns(engine: Engine) -> None:
    with engine.connect() as c:
        for source in SOURCES.values():
            table = staging.staging_table(source)
            store = [col for col in _columns(c, source.name) if col[0] not in ("first_night", "last_night")]
            assert sorted(store) == sorted((n, t) for n, t in _columns(c, source.name) if n in source.column_names)
            assert _columns(c, table) == EXTRA + store, table
            persistence = c.execute(sa.text("select relpersistence from pg_class where oid = cast(:t as regclass)"),
                                    {"t": table}).scalar()
            assert persistence == "u", table                  # UNLOGGED: a crash empties it (staging_missing)
            assert c.execute(sa.text("select has_table_privilege('credit_writer', :t, 'insert, delete')"),
                             {"t": table}).scalar()
        assert c.execute(sa.text("select to_regclass('night_staging_rows')")).scalar() is None


def _indexes(c: sa.Connection, table: str) -> list[str]:
    return list(c.execute(sa.text("select indexname from pg_indexes where schemaname = current_schema() "
                                  "and tablename = :t order by 1"), {"t": table}).scalars())


def test_a_sources_staging_table_has_no_index_and_the_quarantines_keeps_its_key(engine: Engine) -> None:
    with engine.connect() as c:
        for source in SOURCES.values():
            assert _indexes(c, staging.staging_table(source)) == [], source.name
        assert _indexes(c, "night_staging_quarantine") == ["ix_night_staging_quarantine_key"]


def test_publish_reads_the_typed_staged_rows_as_they_are(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    rows = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(3)]
    drop = tmp_path / "drop"
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", rows)})
    manifest = read_manifest(drop, N13)
    steps.ingest_file(manifest, "registration.csv", settings)
    with engine.begin() as c:
        staged = c.execute(sa.text("select uscc, established_on, line, digest from night_staging_registration "
                                   "order by line")).all()
        assert [(r.uscc, r.line, r.digest) for r in staged] == [(r["uscc"], i + 2, manifest.digest)
                                                                for i, r in enumerate(rows)]
        assert all(isinstance(r.established_on, date) for r in staged)   # typed at ingest, by COPY
        c.execute(sa.text("update night_staging_registration set name = '改过的名称' where line = 3"))
    steps.publish_night(manifest, None, settings)
    with engine.connect() as c:
        names = dict(c.execute(sa.text("select uscc, name from registration")).tuples().all())
        assert names[rows[1]["uscc"]] == "改过的名称"
        assert c.execute(sa.text("select count(*) from night_staging_registration")).scalar() == 0


def test_the_migration_moves_what_is_staged_and_the_night_still_publishes(settings: Settings, engine: Engine,
                                                                          tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_sample(drop, 200, 1, seed=3, defect_rate=0.05)     # every source, with defects
    manifest = read_manifest(drop, N13)
    outcomes = [steps.ingest_file(manifest, f.file, settings) for f in manifest.files]
    with engine.connect() as c:
        typed = _typed(c)
    assert all(typed.values())
    downgrade(engine, BEFORE)
    with engine.connect() as c:
        assert all(c.execute(sa.text("select to_regclass(:t)"), {"t": staging.staging_table(s)}).scalar() is None
                   for s in SOURCES.values())
        json_rows = c.execute(sa.text(
            "select f.source, count(*), count(n.line), bool_and(n.row ? 'uscc' or f.source = 'inspectors') "
            "from night_staging_rows n join night_staging_files f using (night, digest, file) "
            "group by f.source")).all()
        assert {r[0]: r[1] for r in json_rows} == {k: len(v) for k, v in typed.items()}
        assert all(r[1] == r[2] and r[3] for r in json_rows)   # lines kept, each row the JSON of a row
    schema.upgrade(engine, REVISION)
    with engine.connect() as c:
        assert _typed(c) == typed                            # typed again, value for value
    schema.upgrade(engine)                                   # and the later migrations: a night needs the head
    summary = steps.publish_night(manifest, None, settings)
    assert [f["accepted"] for f in summary["files"]] == [o.accepted for o in outcomes]
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from registration")).scalar() == \
            next(o.accepted for o in outcomes if o.source == "registration")
