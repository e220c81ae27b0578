"""the night's accepted rows are staged typed, one table per source, instead of as JSON (issue 11).

Revision ID: 0027_typed_staging
Revises: 0023_chunked_ingest

Measured at 200,000 entities (first night): of a file's ingest, most of the time went to turning
the rows COPYed into a typed temporary table into JSON (``to_jsonb``, ``jsonb_strip_nulls``) for
``night_staging_rows``; publish then turned the JSON back into typed rows
(``jsonb_populate_record``). Each source now has its own staging table, ``night_staging_<source>``:

- ``night``, ``digest``, ``file``: the staging key, as the other staging tables have it;
- ``line``, ``dup_key``, ``dup_row``: the row's physical line, its key as text and a hash of the
  whole row (migration 0023: what finds duplicates across the chunks of a file);
- then the source's own store columns, with their types and NOT NULLs (``like <source>``, without
  ``first_night`` and ``last_night``, which publish sets).

Ingest COPYs a chunk's rows straight into it; publish reads them as they are. UNLOGGED, like the
other staging tables: a crash of the server empties them and the night is refused
(``staging_missing``) until ingest runs again.

A later migration that adds a column to a source's table adds it to ``night_staging_<source>`` too
(``tests/db/night/test_typed_staging.py`` checks that the columns agree for every source).

The rows staged when the upgrade runs move over (a night ingested before it publishes after it),
and ``night_staging_rows`` is dropped; the downgrade recreates it and moves them back as JSON.
"""

from alembic import op

revision = "0027_typed_staging"
down_revision = "0023_chunked_ingest"
branch_labels = None
depends_on = None

# The sources at this revision (credit.contract.sources.SOURCES): each has its store table.
SOURCES = ("registration", "annual_reports", "tax", "social_security", "penalties", "findings",
           "inspection_results", "inspectors", "bank_credit")
EXTRA = ("night", "digest", "file", "line", "dup_key", "dup_row")


def upgrade() -> None:
    for source in SOURCES:
        table = f"night_staging_{source}"
        op.execute(f"""
        create unlogged table {table} (
            night date not null,
            digest text not null,
            file text not null,
            line bigint,
            dup_key text,
            dup_row bigint,
            like {source} including defaults
        )""")
        op.execute(f"alter table {table} drop column first_night, drop column last_night")
        op.execute(f"create index ix_{table}_key on {table} (night, digest, file)")
        op.execute(f"comment on table {table} is 'One ingested {source} file''s accepted rows, typed, "
                   f"waiting for publish (deleted after the night is published)'")
        op.execute(f"comment on column {table}.digest is 'the manifest''s SHA-256'")
        op.execute(f"comment on column {table}.line is 'the row''s physical line in its file'")
        op.execute(f"comment on column {table}.dup_key is 'the row''s key as canonical text'")
        op.execute(f"comment on column {table}.dup_row is 'a hash of the whole canonical row'")
        # What is staged now, typed again once (the columns by name: the JSON of a row of the source).
        op.execute(f"""
        insert into {table}
        select r.*
          from night_staging_rows n
          join night_staging_files f using (night, digest, file)
         cross join lateral jsonb_populate_record(
               null::{table},
               n.row || jsonb_build_object('night', n.night, 'digest', n.digest, 'file', n.file,
                                           'line', n.line, 'dup_key', n.dup_key, 'dup_row', n.dup_row)) r
         where f.source = '{source}'""")
    op.drop_table("night_staging_rows")
    op.execute("select credit_grant_roles()")


def downgrade() -> None:
    # night_staging_rows as migrations 0016 and 0023 left it.
    op.execute("""
    create unlogged table night_staging_rows (
        night date not null,
        digest text not null,
        file text not null,
        row jsonb not null,
        line bigint,
        dup_key text,
        dup_row bigint
    )""")
    op.execute("create index ix_night_staging_rows_key on night_staging_rows (night, digest, file)")
    op.execute("comment on table night_staging_rows is 'One ingested file''s accepted rows, waiting for publish'")
    op.execute("comment on column night_staging_rows.digest is 'the manifest''s SHA-256'")
    op.execute("comment on column night_staging_rows.row is 'a row of the source''s table, as JSON'")
    op.execute("comment on column night_staging_rows.line is 'the row''s physical line in its file'")
    op.execute("comment on column night_staging_rows.dup_key is 'the row''s key as canonical text'")
    op.execute("comment on column night_staging_rows.dup_row is 'a hash of the whole canonical row'")
    drop = " - ".join(f"'{c}'" for c in EXTRA)
    for source in SOURCES:
        table = f"night_staging_{source}"
        op.execute(f"""
        insert into night_staging_rows (night, digest, file, row, line, dup_key, dup_row)
        select s.night, s.digest, s.file, jsonb_strip_nulls(to_jsonb(s) - {drop}), s.line, s.dup_key, s.dup_row
          from {table} s""")
        op.drop_table(table)
    op.execute("select credit_grant_roles()")
