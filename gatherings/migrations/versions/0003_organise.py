"""organisers, and who organises which gathering

Revision ID: 0003_organise
Revises: 0002_attendance
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_organise"
down_revision = "0002_attendance"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organiser",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('organiser', 'admin')", name=op.f("ck_organiser_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organiser")),
        sa.UniqueConstraint("email", name=op.f("uq_organiser_email")),
        sa.UniqueConstraint("session_token", name=op.f("uq_organiser_session_token")),
    )
    op.create_table(
        "gathering_organiser",
        sa.Column("gathering_id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["gathering_id"], ["gathering.id"],
                                name=op.f("fk_gathering_organiser_gathering_id_gathering"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organiser_id"], ["organiser.id"],
                                name=op.f("fk_gathering_organiser_organiser_id_organiser"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("gathering_id", "organiser_id", name=op.f("pk_gathering_organiser")),
    )
    with op.batch_alter_table("gathering_organiser", schema=None) as batch_op:
        batch_op.create_index("ix_gathering_organiser_organiser_id", ["organiser_id"], unique=False)


def downgrade():
    with op.batch_alter_table("gathering_organiser", schema=None) as batch_op:
        batch_op.drop_index("ix_gathering_organiser_organiser_id")
    op.drop_table("gathering_organiser")
    op.drop_table("organiser")
