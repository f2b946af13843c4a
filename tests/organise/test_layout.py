"""Every page of the organiser area: its own layout, plain HTML that works without JavaScript."""
import re

import pytest

from tests.factories import login_as
from tests.htmlpage import Page

from .matrix import ADDRESSES
from .test_access import _url

PAGES = sorted({a.rule for a in ADDRESSES if a.method == "GET"})
# reflection/organise_views.py sets Cache-Control only, no X-Robots-Tag: as it was, not yet decided otherwise.
@pytest.mark.parametrize("rule", PAGES)
def test_page_is_plain_and_accessible(client, world, rule):
    login_as(client, world["admin"])
    response = client.get(_url(rule, world))
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Robots-Tag"] == "noindex"  # no search engine lists it
    if response.mimetype != "text/html":
        pytest.skip(f"{response.mimetype}, not a page")
    html = response.get_data(as_text=True)
    page = Page(html)
    assert page.find("main", id="main") is not None
    assert len(page.find_all("h1")) == 1
    assert "Ingelogd als beheer@voorbeeld.nl" in page.text  # the organiser layout
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline scripts (CSP)"
    assert not re.search(r"\sstyle=", html) and "<style" not in html, "no inline styles (CSP)"
    # every input, select and textarea has a label
    for field in page.find_all("input") + page.find_all("select") + page.find_all("textarea"):
        if field.get("type") in ("hidden", "submit"):
            continue
        assert page.find("label", for_=field.get("id")) is not None, (rule, field.attrs)
