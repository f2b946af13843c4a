"""Following from the form, reading the links out of the mail that arrived."""
import re

LINK = r"http://gatherings\.test(/alerts/[A-Za-z0-9_-]{40,}(?:/confirm|/unsubscribe)?)"


def follow(client, email="volger@voorbeeld.nl", theme=("inclusie",), kind=(), **extra):
    return client.post("/alerts", data={"email": email, "theme": list(theme), "kind": list(kind), "consent": "y",
                                        **extra})


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def links_in(message) -> list[str]:
    return re.findall(LINK, text_of(message))
