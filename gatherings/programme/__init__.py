"""The programme of a gathering: parts, workshops in rounds, and who sits in which workshop."""


def register_listeners() -> None:
    """Workshop seats follow the registration's life (registration/signals.py); the rounds join /r/<token>/edit.

    Called by the app factory.
    """
    from .forms import register_change_fields
    from .services import register_listeners as connect

    connect()
    register_change_fields()
