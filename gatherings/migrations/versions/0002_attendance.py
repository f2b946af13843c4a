"""attendance: export audit log

Revision ID: 0002_attendance
Revises: 0001_foundation
"""
from alembic import op
import sqlalchemy as sa


revision = "0002_attendance"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=False),
        sa.Column("gathering_id", sa.Integer(), nullable=True),
        sa.Column("gathering_slug", sa.String(length=120), nullable=False),
        sa.Column("gathering_title", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("format IN ('csv', 'xlsx', 'print')", name=op.f("ck_export_log_format")),
        sa.ForeignKeyConstraint(["gathering_id"], ["gathering.id"],
                                name=op.f("fk_export_log_gathering_id_gathering"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_log")),
    )
    with op.batch_alter_table("export_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_log_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_log_gathering_id"), ["gathering_id"], unique=False)


def downgrade():
    with op.batch_alter_table("export_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_log_gathering_id"))
        batch_op.drop_index(batch_op.f("ix_export_log_created_at"))
    op.drop_table("export_log")
