"""Following themes and kinds of gathering by e-mail (/alerts): double opt-in, one-click unsubscribe.

``register_listeners`` (called by the app factory) gives the mail sender the
renderers and headers of the alert mails, and connects what alerts do when a
gathering is published and when ``flask privacy purge`` runs.
"""


def register_listeners() -> None:
    from ..catalogue import signals as catalogue_signals
    from ..mail import message as mail_message
    from ..mail import services as mail_services
    from ..privacy import services as privacy_services
    from . import services

    # Their text holds working links (confirm, change, stop): a sent row keeps neither it nor the nonce
    # (the sender empties every sent row; see mail/sender._forget_bodies).
    mail_services.register_renderer(services.CONFIRM_KIND, services.render_confirm)
    mail_services.register_renderer(services.GATHERING_KIND, services.render_gathering_alert)
    mail_message.register_headers(services.CONFIRM_KIND, services.confirm_headers)
    mail_message.register_headers(services.GATHERING_KIND, services.gathering_alert_headers)
    # weak=False: module functions; connecting again (another app) changes nothing.
    catalogue_signals.gathering_published.connect(services.on_gathering_published, weak=False)
    catalogue_signals.gathering_topic_changed.connect(services.on_gathering_published, weak=False)
    privacy_services.purge_requested.connect(services.on_purge_requested, weak=False)
