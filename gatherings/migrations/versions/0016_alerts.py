"""alerts: follow themes and kinds by e-mail; announcements of published gatherings

Revision ID: 0016_alerts
Revises: 0015_reflection

Unconfirmed requests are deleted after 7 days (flask privacy purge); an announcement row is
written when a gathering is published, and the mail worker queues the followers' mails from it.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_alerts'
down_revision = '0015_reflection'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('kinds', sa.String(length=60), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('consent_version', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'active')", name=op.f('ck_alert_follow_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_follow')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_alert_follow_token_hash'))
    )
    with op.batch_alter_table('alert_follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_follow_email_key'), ['email_key'], unique=False)

    op.create_table('alert_follow_theme',
    sa.Column('follow_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['follow_id'], ['alert_follow.id'], name=op.f('fk_alert_follow_theme_follow_id_alert_follow'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_alert_follow_theme_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('follow_id', 'theme_id', name=op.f('pk_alert_follow_theme'))
    )
    op.create_table('alert_announcement',
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_alert_announcement_gathering_id_gathering'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gathering_id', name=op.f('pk_alert_announcement'))
    )
    with op.batch_alter_table('alert_announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_announcement_queued_at'), ['queued_at'], unique=False)



def downgrade():
    with op.batch_alter_table('alert_announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_announcement_queued_at'))

    op.drop_table('alert_announcement')
    op.drop_table('alert_follow_theme')
    with op.batch_alter_table('alert_follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_follow_email_key'))

    op.drop_table('alert_follow')
