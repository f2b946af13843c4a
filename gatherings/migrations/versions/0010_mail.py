"""mail: sent messages keep no bodies (their links still open /my and /r/ for days)

From now on the sender empties ``body_text`` and ``body_html`` (and forgets
``context``, which can hold what a link is derived from) when a message is sent
or has failed for good; this does the same for the rows sent before. Nothing
to restore on downgrade: the texts are gone, as intended.

Revision ID: 0010_mail
Revises: 0009_organiser_session
"""
from alembic import op


revision = "0010_mail"
down_revision = "0009_organiser_session"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE outbox_message SET body_text = '', body_html = '' "
               "WHERE status IN ('sent', 'failed') AND (body_text <> '' OR body_html <> '')")
    op.execute("UPDATE outbox_message SET context = NULL WHERE status IN ('sent', 'failed')")


def downgrade():
    pass
