"""registration: a door code of its own, for the QR code checked at the door

Revision ID: 0024_door_code
Revises: 0023_alert_follow_once

"""
import secrets

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0024_door_code'
down_revision = '0023_alert_follow_once'
branch_labels = None
depends_on = None

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # as registration.models.DOOR_ALPHABET


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('door_code', sa.String(length=16), nullable=True))
    conn = op.get_bind()
    ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM registration"))]
    for row_id in ids:
        code = "".join(secrets.choice(ALPHABET) for _ in range(10))
        conn.execute(sa.text("UPDATE registration SET door_code = :code WHERE id = :id"), {"code": code, "id": row_id})
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('door_code', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_registration_door_code'), ['door_code'])


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_registration_door_code'), type_='unique')
        batch_op.drop_column('door_code')
