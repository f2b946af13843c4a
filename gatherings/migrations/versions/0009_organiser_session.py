"""organiser_session: one row per login, so that logging out ends the session on the server

Revision ID: 0009_organiser_session
Revises: 0008_registration
"""
from alembic import op
import sqlalchemy as sa


revision = "0009_organiser_session"
down_revision = "0008_registration"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organiser_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("account_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organiser_id"], ["organiser.id"],
                                name=op.f("fk_organiser_session_organiser_id_organiser"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organiser_session")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_organiser_session_secret_hash")),
    )
    with op.batch_alter_table("organiser_session", schema=None) as batch_op:
        batch_op.create_index("ix_organiser_session_organiser_id", ["organiser_id"], unique=False)
        batch_op.create_index("ix_organiser_session_created_at", ["created_at"], unique=False)


def downgrade():
    op.drop_table("organiser_session")
