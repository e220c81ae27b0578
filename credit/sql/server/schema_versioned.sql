-- Whether Alembic's version table exists (NULL before the first upgrade; credit.schema.current_revision).
select to_regclass('alembic_version')
