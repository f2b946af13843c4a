"""``flask mail send --loop`` as a process queues and sends the followers' mails: none in the organiser's request."""
import email
import os
import signal
import subprocess
import sys
import time
from email.policy import default as default_policy
from pathlib import Path

from gatherings.alerts import services
from gatherings.database import unit_of_work
from gatherings.extensions import db
from gatherings.organise.services import publish_gathering
from tests.factories import locked_call, make_gathering, make_theme
from tests.mail.conftest import outbox

ROOT = Path(__file__).resolve().parents[2]


def test_the_send_loop_queues_and_sends_the_alert_with_its_unsubscribe_headers(app, app_config, tmp_path):
    theme = make_theme()
    follow = services.request_follow("volger@voorbeeld.nl", theme_slugs=["inclusie"], kinds=[], locale="nl",
                                     consent_version="test")
    db.session.commit()
    with unit_of_work():
        services.confirm(follow)
    gathering = make_gathering(status="draft", theme_id=theme.id, title="Meedoen")
    locked_call(publish_gathering, gathering)
    assert outbox(kind="alert_gathering") == []  # publishing queued nothing: the worker does
    mail_dir = tmp_path / "loop-mail"
    env = dict(os.environ, DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="t",
               GATHERINGS_ENV="testing", MAIL_REMIND_INTERVAL="0", GATHERINGS_TEST_MAIL_DIR=str(mail_dir))
    env.pop("MAIL_SERVER", None)  # mail goes to files
    starter = ("import os; from flask.cli import FlaskGroup; from gatherings import create_app;"
               "FlaskGroup(create_app=lambda: create_app({'MAIL_OUTBOX_DIR': os.environ['GATHERINGS_TEST_MAIL_DIR']}))"
               ".main(args=['mail', 'send', '--loop', '--interval', '0.5'], prog_name='flask')")
    process = subprocess.Popen([sys.executable, "-c", starter], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        sent = []
        while time.monotonic() < deadline and not sent:
            db.session.rollback()  # see the process's commits
            sent = [m for m in outbox(kind="alert_gathering") if m.status == "sent"]
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.3)
        assert [m.to_address for m in sent] == ["volger@voorbeeld.nl"]
        (path,) = mail_dir.glob("*-alert_gathering.eml")
        message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        assert message["Subject"] == "Nieuwe bijeenkomst: Meedoen"
        assert str(message["List-Unsubscribe"]).startswith("<") and "/unsubscribe>" in str(message["List-Unsubscribe"])
        assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "1 messages about new gatherings queued for followers" in output
