"""Two ``mail send --loop`` processes at once queue the reflection invitation once per participant."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.reflection.models import ReflectionInvitation

from .conftest import invitation_rows

ROOT = Path(__file__).resolve().parents[2]


def start_sender(app_config, mail_dir: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY="t",
               GATHERINGS_ENV="testing", MAIL_REMIND_INTERVAL="1", GATHERINGS_TEST_MAIL_DIR=str(mail_dir))
    env.pop("MAIL_SERVER", None)
    starter = ("import os; from flask.cli import FlaskGroup; from gatherings import create_app;"
               "FlaskGroup(create_app=lambda: create_app({'MAIL_OUTBOX_DIR': os.environ['GATHERINGS_TEST_MAIL_DIR']}))"
               ".main(args=['mail', 'send', '--loop', '--interval', '0.2'], prog_name='flask')")
    return subprocess.Popen([sys.executable, "-c", starter], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_senders_running_queue_each_invitation_once(app, app_config, people, tmp_path):
    present, _absent = people
    senders = [start_sender(app_config, tmp_path / "mail") for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.rollback()  # see the processes' commits
            sent = [r for r in invitation_rows() if r.status == "sent"]
            if len(sent) >= len(present):
                break
            for sender in senders:
                assert sender.poll() is None, sender.stdout.read()
            time.sleep(0.3)
        time.sleep(1.5)  # both have run their remind step again since
        db.session.rollback()
    finally:
        outputs = []
        for sender in senders:
            sender.send_signal(signal.SIGTERM)
        for sender in senders:
            outputs.append(sender.communicate(timeout=30)[0])
    assert all(sender.returncode == 0 for sender in senders), outputs
    rows = invitation_rows()
    assert sorted(r.to_address for r in rows) == sorted(p.email for p in present)
    assert all(r.status == "sent" for r in rows)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReflectionInvitation)) == len(present)
    assert len(list((tmp_path / "mail").glob("*.eml"))) >= len(present)
    assert "reflection invitations queued" in "".join(outputs)
