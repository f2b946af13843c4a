"""CSRF: every form of the organiser area refuses a POST without the token (400, in Dutch).

Runs over every POST address in the access matrix, so new forms are covered when they are listed there.
"""
import re

import pytest

from tests.factories import login_as

from .matrix import ADDRESSES, PUBLIC
from .test_access import _url

POSTS = sorted({(a.method, a.rule) for a in ADDRESSES if a.method == "POST"} | {p for p in PUBLIC if p[0] == "POST"})


@pytest.mark.parametrize("method,rule", POSTS, ids=[r for _, r in POSTS])
def test_post_without_csrf_token_is_refused(make_app, world, method, rule):
    strict = make_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    login_as(client, world["admin"])
    response = client.post(_url(rule, world), data={"email": "beheer@voorbeeld.nl", "password": "x"})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)


def test_forms_carry_the_token(make_app, world):
    strict = make_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    login_as(client, world["organiser_a"])
    page = client.get(f"/organise/gatherings/{world['slug']}/cancel").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/organise/gatherings/{world['slug']}/cancel", data={"csrf_token": token})
    assert response.status_code == 422  # past the token check, stopped by the missing confirmation
