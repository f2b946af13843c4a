"""A person's own area (/my): a personal access link by e-mail, all their registrations, their data.

``register_listeners`` (called by the app factory) connects what /my does when
``flask privacy purge`` runs.
"""


def register_listeners() -> None:
    from ..privacy import services as privacy_services
    from . import services

    # weak=False: a module function; connecting again (another app) changes nothing.
    privacy_services.purge_requested.connect(services.on_purge_requested, weak=False)
