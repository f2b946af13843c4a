"""alerts: one active follow per address, enforced by the database

Revision ID: 0023_alert_follow_once
Revises: 0018_programme

Two confirmation links of one address clicked at the same moment could leave two active
rows; confirming now takes a lock on the address, and this index refuses a second one.
Rows already doubled are merged first: the oldest active row keeps the themes and kinds of all.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0023_alert_follow_once'
down_revision = '0018_programme'
branch_labels = None
depends_on = None


def _merge_doubles():
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, email_key, kinds FROM alert_follow WHERE status = 'active' ORDER BY email_key, id")).all()
    keep: dict[str, tuple[int, set[str]]] = {}
    for row_id, key, kinds in rows:
        if key not in keep:
            keep[key] = (row_id, set(filter(None, (kinds or "").split(","))))
            continue
        kept_id, kept_kinds = keep[key]
        kept_kinds.update(filter(None, (kinds or "").split(",")))
        conn.execute(sa.text(
            "INSERT INTO alert_follow_theme (follow_id, theme_id) SELECT :kept, theme_id FROM alert_follow_theme "
            "WHERE follow_id = :gone AND theme_id NOT IN (SELECT theme_id FROM alert_follow_theme WHERE follow_id = :kept)"),
            {"kept": kept_id, "gone": row_id})
        conn.execute(sa.text("DELETE FROM alert_follow_theme WHERE follow_id = :gone"), {"gone": row_id})
        conn.execute(sa.text("DELETE FROM alert_follow WHERE id = :gone"), {"gone": row_id})
        conn.execute(sa.text("UPDATE alert_follow SET kinds = :kinds WHERE id = :kept"),
                     {"kinds": ",".join(sorted(kept_kinds)), "kept": kept_id})


def upgrade():
    _merge_doubles()
    with op.batch_alter_table('alert_follow', schema=None) as batch_op:
        batch_op.create_index('uq_alert_follow_active_email', ['email_key'], unique=True,
                              sqlite_where=sa.text("status = 'active'"),
                              postgresql_where=sa.text("status = 'active'"))


def downgrade():
    with op.batch_alter_table('alert_follow', schema=None) as batch_op:
        batch_op.drop_index('uq_alert_follow_active_email', sqlite_where=sa.text("status = 'active'"),
                            postgresql_where=sa.text("status = 'active'"))
