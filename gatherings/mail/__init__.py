"""E-mail: the outbox, its sender, organiser messages.

``register_listeners`` (called by the app factory) connects the
receivers that turn registration and catalogue signals into outbox rows, in the
transaction of the change.
"""


def register_listeners() -> None:
    from ..catalogue import signals as catalogue_signals
    from ..privacy import services as privacy_services
    from ..registration import signals as registration_signals
    from . import changed, flight, organiser_messages, programme, retention, services

    # weak=False: the receivers are module functions; connecting again (another app) changes nothing.
    registration_signals.registration_confirmed.connect(services.on_registration_confirmed, weak=False)
    registration_signals.registration_waitlisted.connect(services.on_registration_waitlisted, weak=False)
    # The same rows, when the opening rush registers in one statement (registration/flight.py).
    registration_signals.flight_writers[services.on_registration_confirmed] = flight.outbox_part
    registration_signals.flight_writers[services.on_registration_waitlisted] = flight.outbox_part
    registration_signals.registration_promoted.connect(services.on_registration_promoted, weak=False)
    registration_signals.registration_cancelled.connect(services.on_registration_cancelled, weak=False)
    registration_signals.registration_duplicate.connect(services.on_registration_duplicate, weak=False)
    registration_signals.registration_changed.connect(changed.on_registration_changed, weak=False)
    catalogue_signals.gathering_changed.connect(services.on_gathering_changed, weak=False)
    catalogue_signals.gathering_cancelled.connect(services.on_gathering_cancelled, weak=False)
    privacy_services.purge_requested.connect(retention.on_purge_requested, weak=False)
    # An organiser's test copy of their message, rendered by the sender from the gathering as it is then.
    services.register_renderer(organiser_messages.TEST_KIND, organiser_messages.render_test)
    programme.register_listeners()
