"""Calendar addresses: downloads, public feeds, personal feeds, the subscribe page."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from werkzeug.http import dump_options_header, http_date, is_resource_modified

from ..catalogue.services import get_visible_gathering
from ..urls import public_url, webcal_url
from . import ics, services
from .cache import Feed, etag_of, whole_seconds

bp = Blueprint("calendar", __name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Calendar apps poll on their own schedule; a short max-age lets proxies absorb
# bursts while a change still shows within minutes. Revalidation is a cheap 304.
PUBLIC_CACHE = "public, max-age=300"
PERSONAL_CACHE = "private, max-age=300"


def ics_response(feed: Feed, *, filename: str, cache_control: str, attachment: bool = False) -> Response:
    """200 with the bytes, gzip-compressed when the client accepts that, or 304 when the
    client's copy is current (If-None-Match, else If-Modified-Since).

    The identity and gzip bytes are two representations with two strong ETags; a
    client holding either one gets a 304 (with the ETag it holds), since both carry
    the same calendar. ``Vary: Accept-Encoding`` keeps shared caches from handing
    gzip to a client that did not ask for it.
    """
    use_gzip = request.accept_encodings["gzip"] > 0
    etag = feed.gzip_etag if use_gzip else feed.etag
    held = request.if_none_match
    for candidate in (feed.etag, feed.gzip_etag):
        if held.contains_weak(candidate.strip('"')):
            etag = candidate
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(feed.last_modified),
        "Cache-Control": cache_control,
        "Vary": "Accept-Encoding",
    }
    if not is_resource_modified(request.environ, etag=etag.strip('"'), last_modified=feed.last_modified):
        return Response(status=304, headers=headers)
    headers["ETag"] = feed.gzip_etag if use_gzip else feed.etag
    disposition = "attachment" if attachment else "inline"
    headers["Content-Disposition"] = dump_options_header(disposition, {"filename": filename})
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
        return Response(feed.gzipped(), status=200, headers=headers, content_type=CONTENT_TYPE)
    return Response(feed.body, status=200, headers=headers, content_type=CONTENT_TYPE)


def _serve_public(feed: services.PublicFeed, filename: str) -> Response:
    try:
        return ics_response(services.public_feed_response(feed), filename=filename, cache_control=PUBLIC_CACHE)
    except LookupError:  # another process replaced the stored bytes between two queries: ask again
        return ics_response(services.public_feed_response(feed), filename=filename, cache_control=PUBLIC_CACHE)


@bp.get("/gatherings/<slug>.ics")
def gathering_ics(slug: str):
    gathering = get_visible_gathering(slug)
    body = ics.feed_calendar([gathering], None)  # a download, not a calendar to subscribe to
    feed = Feed(etag_of(body), whole_seconds(gathering.changed_at), lambda: body, shared=False)
    return ics_response(feed, filename=f"{gathering.slug}.ics", cache_control=PUBLIC_CACHE, attachment=True)


@bp.get("/calendar.ics")
def all_ics():
    return _serve_public(services.all_feed(), "bijeenkomsten.ics")


def _feed_or_404(find_feed, name: str) -> services.PublicFeed:
    try:
        return find_feed(name)
    except services.FeedNotFound:
        abort(404)


@bp.get("/calendar/<kind>.ics")
def kind_ics(kind: str):
    return _serve_public(_feed_or_404(services.kind_feed, kind), f"{kind}.ics")


@bp.get("/calendar/themes/<slug>.ics")
def theme_ics(slug: str):
    return _serve_public(_feed_or_404(services.theme_feed, slug), f"thema-{slug}.ics")


@bp.get("/calendar/my/<token>.ics")
def personal_ics(token: str):
    try:
        feed = services.personal_feed_response(token)
    except services.FeedNotFound:
        abort(404)
    except services.FeedGone:
        abort(410)
    response = ics_response(feed, filename="mijn-bijeenkomsten.ics", cache_control=PERSONAL_CACHE)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/calendar")
def subscribe():
    feeds = [{"title": feed.title, "https": public_url(endpoint, **values), "webcal": webcal_url(endpoint, **values)}
             for feed, endpoint, values in services.public_feeds()]
    return render_template("calendar/subscribe.html", feeds=feeds)
