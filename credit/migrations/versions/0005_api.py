"""API keys, repair applications and screening certificates.

Revision ID: 0005_api
Revises: 0004_draws

- ``api_keys``: who may call the HTTP API and with which role (public / consumer / bureau).
  Only the SHA-256 of a key is stored: keys are 256-bit random tokens, so a fast hash is as
  safe as a slow one and lets every call be checked with one index look-up.
- ``repair_submissions``: what an applicant sent online with a repair application (document
  references, channel). The application itself is a ``roster_requests`` row written by the
  rosters' repair functions; this table only adds what the counter form has no column for.
- ``screening_certificates``: every screening certificate issued (digest, query size, data
  version), so ``verify`` can also say whether a certificate was issued by this service.
  The answers are not stored: they are re-derived from the decision log when checked.
Both record tables are append-only, like the decision log they point into.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_api"
down_revision = "0004_draws"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False, comment="who holds the key (department, bank, officer)"),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.Text(), nullable=False, comment="hex SHA-256 of the key; the key itself is never stored"),
        sa.Column("key_prefix", sa.Text(), nullable=False, comment="first characters of the key, to recognise it in lists"),
        sa.Column("rate_per_minute", sa.Integer(), nullable=True, comment="overrides the role's limit in config/api.yaml"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.CheckConstraint("role in ('public','consumer','bureau')", name="api_key_role_known"),
        sa.CheckConstraint("rate_per_minute is null or rate_per_minute > 0", name="api_key_rate_positive"),
        comment="API keys (hashed) and their roles",
    )
    op.create_index("ux_api_keys_hash", "api_keys", ["key_hash"], unique=True)

    op.create_table(
        "repair_submissions",
        sa.Column("request_id", sa.BigInteger(), sa.ForeignKey("roster_requests.id"), primary_key=True),
        sa.Column("channel", sa.Text(), nullable=False, comment="page 申请页面 / api"),
        sa.Column("documents", postgresql.ARRAY(sa.Text()), nullable=False, comment="document references given"),
        sa.Column("key_id", sa.BigInteger(), sa.ForeignKey("api_keys.id"), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("config_version", sa.Text(), nullable=False),
        sa.CheckConstraint("channel in ('page','api')", name="submission_channel_known"),
        comment="Online repair applications (信用修复申请): documents and channel of a roster_requests row",
    )
    op.create_table(
        "screening_certificates",
        sa.Column("certificate_id", sa.Text(), primary_key=True),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("uscc_count", sa.Integer(), nullable=False),
        sa.Column("data_version", postgresql.JSONB(), nullable=False),
        sa.Column("key_id", sa.BigInteger(), sa.ForeignKey("api_keys.id"), nullable=True),
        sa.Column("config_version", sa.Text(), nullable=False),
        comment="Screening certificates issued (联合惩戒核查凭证); answers are re-derived from the log on verify",
    )
    op.create_index("ux_screening_certificates_digest", "screening_certificates", ["digest"], unique=True)

    op.execute("""
    create function api_refuse_change() returns trigger language plpgsql as $$
    begin
        raise exception '% is append-only (只能追加)', tg_table_name using errcode = 'insufficient_privilege';
    end $$;
    """)
    for table in ("repair_submissions", "screening_certificates"):
        op.execute(f"""
        create trigger {table}_append_only before update or delete on {table}
            for each row execute function api_refuse_change();
        create trigger {table}_no_truncate before truncate on {table}
            for each statement execute function api_refuse_change();
        """)


def downgrade() -> None:
    op.drop_table("screening_certificates")
    op.drop_table("repair_submissions")
    op.drop_table("api_keys")
    op.execute("drop function if exists api_refuse_change()")
