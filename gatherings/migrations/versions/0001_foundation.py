"""gatherings, themes, hosts, registrations

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-25 12:38:41.645518

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('host_organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_host_organisation')),
    sa.UniqueConstraint('slug', name=op.f('uq_host_organisation_slug'))
    )
    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme')),
    sa.UniqueConstraint('slug', name=op.f('uq_theme_slug'))
    )
    op.create_table('gathering',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('host_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('venue_name', sa.String(length=200), nullable=False),
    sa.Column('venue_address', sa.String(length=300), nullable=False),
    sa.Column('venue_city', sa.String(length=120), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('accessibility', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('allot_lived', sa.Integer(), nullable=True),
    sa.Column('allot_relatives', sa.Integer(), nullable=True),
    sa.Column('allot_professionals', sa.Integer(), nullable=True),
    sa.Column('registration_opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registration_closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reminder_days', sa.Integer(), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('theme', 'national', 'mixed')", name=op.f('ck_gathering_kind')),
    sa.CheckConstraint("status IN ('draft', 'published', 'cancelled')", name=op.f('ck_gathering_status')),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_gathering_capacity_not_negative')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_gathering_ends_after_start')),
    sa.ForeignKeyConstraint(['host_id'], ['host_organisation.id'], name=op.f('fk_gathering_host_id_host_organisation')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_gathering_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gathering')),
    sa.UniqueConstraint('slug', name=op.f('uq_gathering_slug'))
    )
    with op.batch_alter_table('gathering', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gathering_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_gathering_status'), ['status'], unique=False)

    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_key', sa.String(length=254), nullable=True),
    sa.Column('perspective', sa.String(length=30), nullable=True),
    sa.Column('perspective_group', sa.String(length=20), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('needs', sa.Text(), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consent_version', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('waitlisted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name=op.f('ck_registration_status')),
    sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_registration_gathering_id_gathering'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
    sa.UniqueConstraint('token', name=op.f('uq_registration_token'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_email_key'), ['email_key'], unique=False)
        batch_op.create_index('ix_registration_gathering_status', ['gathering_id', 'status'], unique=False)
        batch_op.create_index('uq_registration_active_email', ['gathering_id', 'email_key'], unique=True, sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))




def downgrade():
    
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('uq_registration_active_email', sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))
        batch_op.drop_index('ix_registration_gathering_status')
        batch_op.drop_index(batch_op.f('ix_registration_email_key'))

    op.drop_table('registration')
    with op.batch_alter_table('gathering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gathering_status'))
        batch_op.drop_index(batch_op.f('ix_gathering_starts_at'))

    op.drop_table('gathering')
    op.drop_table('theme')
    op.drop_table('host_organisation')

