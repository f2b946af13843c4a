"""calendar: covering index for the feeds' change query, build claim

Revision ID: 0006_calendar
Revises: 0005_mail
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_calendar"
down_revision = "0005_mail"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calendar_feed_cache", schema=None) as batch_op:
        batch_op.add_column(sa.Column("building_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("gathering", schema=None) as batch_op:
        batch_op.create_index("ix_gathering_calendar_feed",
                              ["status", "ends_at", "changed_at", "sequence", "kind", "theme_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("gathering", schema=None) as batch_op:
        batch_op.drop_index("ix_gathering_calendar_feed")
    with op.batch_alter_table("calendar_feed_cache", schema=None) as batch_op:
        batch_op.drop_column("building_until")
