"""The organiser area: accounts, access and running gatherings, under /organise/."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Flask-Login and the organisers' words in templates; called from create_app."""
    from ..catalogue.labels import STATUS_LABELS
    from . import auth

    auth.init_app(app)
    app.jinja_env.globals.update(status_labels=STATUS_LABELS)


def register_listeners() -> None:
    """The mail sender's renderers of the password-link mails, and what ``flask privacy purge`` forgets of them."""
    from ..mail import services as mail_services
    from ..privacy import services as privacy_services
    from . import password_links

    # The link in these mails sets a password: once sent, the outbox does not keep it.
    mail_services.register_renderer(password_links.RESET_KIND, password_links.render_reset)
    mail_services.register_renderer(password_links.INVITATION_KIND, password_links.render_invitation)
    # weak=False: a module function; connecting again (another app) changes nothing.
    privacy_services.purge_requested.connect(password_links.on_purge_requested, weak=False)
