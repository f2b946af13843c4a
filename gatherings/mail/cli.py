"""``flask mail send [--loop]`` and ``flask mail remind``."""
import logging
import signal
import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError, InterfaceError

from ..extensions import db

mail_command = AppGroup("mail", help="Send queued mail; queue reminders.")
log = logging.getLogger("gatherings.mail")


def _log_to_stderr() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


class _Reminders:
    """With ``--loop``: queue due reminders now and then, so they go out without a cron job.

    Safe beside a cron job and beside other senders: a reminder is queued once per registration
    however often and however many times this runs (``queue_due_reminders``).
    """

    def __init__(self, every: float):
        self.every = every
        self.next_at = 0.0

    def __call__(self) -> None:
        if self.every <= 0 or time.monotonic() < self.next_at:
            return
        self.next_at = time.monotonic() + self.every
        _queue_due()


@mail_command.command("send")
@click.option("--loop", is_flag=True, help="Keep running; look for due mail every few seconds, "
                                           "and queue due reminders every MAIL_REMIND_INTERVAL seconds.")
@click.option("--interval", type=float, default=None, help="Seconds between passes with --loop (default 5).")
def send_command(loop: bool, interval: float | None) -> None:
    """Send the mail that is due. Exit code: 0 all sent, 1 some will be retried, 2 some failed for good."""
    from .sender import outbox_dir, send_due

    _log_to_stderr()
    target = current_app.config.get("MAIL_SERVER") or outbox_dir()
    if not loop:
        outcome = send_due()
        log.info("mail send: %d sent, %d to retry later, %d failed, %d dropped (to %s)",
                 outcome.sent, outcome.deferred, outcome.failed, outcome.dropped, target)
        sys.exit(outcome.exit_code)

    interval = interval if interval is not None else float(current_app.config.get("MAIL_SEND_INTERVAL", 5))
    stopping = []

    def _stop(signum, _frame):
        log.info("mail send: stopping after the current message")
        stopping.append(signum)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    remind = _Reminders(float(current_app.config.get("MAIL_REMIND_INTERVAL", 600)))
    log.info("mail send: looking for mail every %gs, sending to %s", interval, target)
    while not stopping:
        try:
            remind()
            _queue_alerts()
            outcome = send_due()
            if outcome.sent or outcome.deferred or outcome.failed or outcome.dropped:
                log.info("mail send: %d sent, %d to retry later, %d failed, %d dropped",
                         outcome.sent, outcome.deferred, outcome.failed, outcome.dropped)
        except (OperationalError, InterfaceError) as error:
            db.session.rollback()
            log.error("mail send: database unavailable, trying again: %s", error.__class__.__name__)
        except Exception:  # keep the worker alive; the claim times out and the message is tried again
            db.session.rollback()
            log.exception("mail send: unexpected error, trying again")
        finally:
            db.session.remove()
        slept = 0.0
        while slept < interval and not stopping:
            time.sleep(min(0.5, interval))
            slept += 0.5
    log.info("mail send: stopped")


def _queue_alerts() -> None:
    """Followers' mails about newly published gatherings (alerts): a cheap look each pass, so they go out
    soon after publication, queued here and not in the organiser's request. Once per follower and gathering."""
    from ..alerts.services import queue_due_alerts

    count = queue_due_alerts()
    if count:
        log.info("mail: %d messages about new gatherings queued for followers", count)


@mail_command.command("remind")
def remind_command() -> None:
    """Queue reminders, reflection invitations (each registration once) and followers' messages about
    newly published gatherings (each follower once per gathering)."""
    _log_to_stderr()
    _queue_due(always_log=True)
    _queue_alerts()


def _queue_due(always_log: bool = False) -> None:
    """Reminders before a gathering and reflection invitations after it: each once per registration."""
    from ..reflection.invitations import queue_due_invitations
    from .reminders import queue_due_reminders

    reminders = queue_due_reminders()
    if reminders or always_log:
        log.info("mail remind: %d reminders queued", reminders)
    reflections = queue_due_invitations()
    if reflections or always_log:
        log.info("mail remind: %d reflection invitations queued", reflections)
