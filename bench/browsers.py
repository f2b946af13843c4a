"""The clients of bench/rush.py: people registering the way a browser does, 100 at a time.

Each GETs the gathering page, takes the session cookie and the CSRF token, POSTs
the form and follows the 303 to the result page; latencies and answers are kept
per step in a ``Load``.
"""
from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SLUG = "landelijke-dag-rush"
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (rush benchmark)",
    "Accept": "text/html,application/xhtml+xml",
    "Accept-Language": "nl-NL,nl;q=0.9",
    # As behind the TLS-terminating load balancer (TRUSTED_PROXIES=1): secure cookies, https URLs.
    "X-Forwarded-Proto": "https",
}
# What else the form gets from the page for client ``i`` (bench/programme_rush.py: a workshop per round).
Choices = Callable[[str, int], dict[str, str]]


@dataclass
class Load:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"page": [], "post": [], "result": []})
    flows: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)  # email -> confirmed / waitlisted / ?
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def status(self, code: int) -> None:
        self.statuses[code] = self.statuses.get(code, 0) + 1

    @property
    def all_latencies(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]

    @property
    def five_xx(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)


def answer_of(html: str) -> str:
    if "U staat op de wachtlijst" in html:
        return "waitlisted"
    if "U bent aangemeld" in html:
        return "confirmed"
    if "ontvangen" in html:  # the baseline
        return "stored"
    return "?"


async def one_registration(http: aiohttp.ClientSession, base: str, i: int, run: str, load: Load,
                           slug: str = SLUG, choices: Choices | None = None) -> None:
    email = f"rush-{run}-{i}@voorbeeld.nl"
    public = base.replace("http://", "https://", 1)  # the address the browser sees, before the load balancer
    started = time.perf_counter()
    t0 = started
    async with http.get(f"{base}/gatherings/{slug}", headers=BROWSER_HEADERS) as response:
        html = await response.text()
        cookies = {name: morsel.value for name, morsel in response.cookies.items()}
    load.latencies["page"].append(time.perf_counter() - t0)
    load.status(response.status)
    match = CSRF_FIELD.search(html)
    if response.status != 200 or not match:
        load.errors.append(f"page {response.status}")
        return
    # As a browser sends it: empty text fields, no perspective chosen (an unchecked radio group is not sent).
    form = {"csrf_token": match.group(1), "name": f"Deelnemer {i}", "email": email,
            "organisation": "", "needs": "", "consent": "y"}
    if choices is not None:
        form.update(choices(html, i))
    cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    t0 = time.perf_counter()
    async with http.post(f"{base}/gatherings/{slug}/register", data=form, allow_redirects=False,
                         headers={**BROWSER_HEADERS, "Cookie": cookie_header,
                                  "Referer": f"{public}/gatherings/{slug}"}) as response:
        await response.read()
        cookies.update({name: morsel.value for name, morsel in response.cookies.items()})
        location = response.headers.get("Location", "")
    load.latencies["post"].append(time.perf_counter() - t0)
    load.status(response.status)
    if response.status != 303:
        load.errors.append(f"post {response.status}")
        load.answers[email] = f"http {response.status}"
        return
    if location.startswith("/"):
        location = base + location
    location = location.replace("https://", "http://", 1)  # the "load balancer" is us
    cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    t0 = time.perf_counter()
    async with http.get(location, headers={**BROWSER_HEADERS, "Cookie": cookie_header}) as response:
        html = await response.text()
    load.latencies["result"].append(time.perf_counter() - t0)
    load.status(response.status)
    load.flows.append(time.perf_counter() - started)
    load.answers[email] = answer_of(html) if response.status == 200 else f"http {response.status}"


async def rush(base: str, registrations: int, clients: int, run: str,
               slug: str = SLUG, choices: Choices | None = None) -> Load:
    load = Load()
    numbers = iter(range(registrations))

    async def client(http):
        for i in numbers:  # a shared iterator: each number goes to exactly one client
            try:
                await one_registration(http, base, i, run, load, slug, choices)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                load.errors.append(f"{error.__class__.__name__}: {error}")

    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        load.seconds = time.perf_counter() - started
    return load


async def warm_up(base: str, path: str, n: int) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        async def get():
            async with http.get(base + path, headers=BROWSER_HEADERS) as response:
                await response.read()
        await asyncio.gather(*(get() for _ in range(n)))
