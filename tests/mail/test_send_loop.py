"""``flask mail send --loop`` as a process: sends what is queued and queues due reminders itself (no cron needed)."""
import email
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from email.policy import default as default_policy
from pathlib import Path

from gatherings.extensions import db
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration

from .conftest import outbox

ROOT = Path(__file__).resolve().parents[2]


def test_the_send_loop_reminds_without_cron_and_stops_cleanly(app, app_config):
    gathering = make_gathering(starts_at=utcnow() + timedelta(days=1), capacity=5)  # inside the 2-day window
    person = make_registration(gathering, email="an@voorbeeld.nl")
    person.confirmed_at = utcnow() - timedelta(days=5)  # confirmed long before the window: due a reminder
    db.session.commit()
    mail_dir = Path(app_config["MAIL_OUTBOX_DIR"])
    env = dict(os.environ, DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="t",
               GATHERINGS_ENV="testing", MAIL_REMIND_INTERVAL="1", GATHERINGS_TEST_MAIL_DIR=str(mail_dir))
    env.pop("MAIL_SERVER", None)  # mail goes to files
    # The command as `flask --app wsgi mail send --loop` runs it, with this test's outbox directory.
    starter = ("import os; from flask.cli import FlaskGroup; from gatherings import create_app;"
               "FlaskGroup(create_app=lambda: create_app({'MAIL_OUTBOX_DIR': os.environ['GATHERINGS_TEST_MAIL_DIR']}))"
               ".main(args=['mail', 'send', '--loop', '--interval', '0.5'], prog_name='flask')")
    process = subprocess.Popen([sys.executable, "-c", starter], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.rollback()  # see the process's commits
            kinds = sorted(m.kind for m in outbox() if m.status == "sent")
            if "reminder" in kinds:
                break
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.3)
        assert kinds == ["confirmed", "reminder"]
        subjects = [email.message_from_bytes(p.read_bytes(), policy=default_policy)["Subject"]
                    for p in mail_dir.glob("*.eml")]
        assert any(subject.startswith("Herinnering: ") for subject in subjects), subjects
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "mail remind: 1 reminders queued" in output
    assert "mail send: stopped" in output
