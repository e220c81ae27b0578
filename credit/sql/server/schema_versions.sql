-- The schema's revisions Alembic recorded, one when the schema has a single head
-- (credit.schema.current_revision).
select version_num from alembic_version
