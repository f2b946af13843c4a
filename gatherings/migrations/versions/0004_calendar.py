"""calendar feed tokens and feed cache

Revision ID: 0004_calendar
Revises: 0003_organise
Create Date: 2026-11-25 12:54:00.154198

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_calendar'
down_revision = '0003_organise'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feed_cache',
    sa.Column('feed', sa.String(length=120), nullable=False),
    sa.Column('change_key', sa.String(length=64), nullable=False),
    sa.Column('etag', sa.String(length=80), nullable=False),
    sa.Column('last_modified', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('feed', name=op.f('pk_calendar_feed_cache'))
    )
    op.create_table('calendar_feed_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed_token')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_feed_token_token'))
    )
    with op.batch_alter_table('calendar_feed_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_token_email_key'), ['email_key'], unique=False)
        batch_op.create_index('uq_calendar_feed_token_live_email', ['email_key'], unique=True, sqlite_where=sa.text('replaced_at IS NULL'), postgresql_where=sa.text('replaced_at IS NULL'))



def downgrade():
    with op.batch_alter_table('calendar_feed_token', schema=None) as batch_op:
        batch_op.drop_index('uq_calendar_feed_token_live_email', sqlite_where=sa.text('replaced_at IS NULL'), postgresql_where=sa.text('replaced_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_calendar_feed_token_email_key'))

    op.drop_table('calendar_feed_token')
    op.drop_table('calendar_feed_cache')
