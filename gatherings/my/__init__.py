"""A person's own area (/my): a personal access link by e-mail, all their registrations, their data.

``register_listeners`` (called by the app factory) gives the mail sender the
renderer of the access-link mail and connects what /my does when ``flask
privacy purge`` runs.
"""


def register_listeners() -> None:
    from ..mail import services as mail_services
    from ..privacy import services as privacy_services
    from . import services

    mail_services.register_renderer("access_link", services.render_access_link)

    # weak=False: a module function; connecting again (another app) changes nothing.
    privacy_services.purge_requested.connect(services.on_purge_requested, weak=False)
