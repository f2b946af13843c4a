"""Parsers for calendar tests: the `ical` package (strict) and ical.js (Thunderbird's parser)."""
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from ical.calendar_stream import IcsCalendarStream
from ical.timezone import IcsTimezoneInfo

JS_DIR = Path(__file__).resolve().parent.parent / "js"


def parse_strict(body: bytes):
    """The calendar as the `ical` package reads it; raises on anything invalid."""
    return IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))


def utc_by_file_vtimezone(calendar, moment: dt.datetime) -> dt.datetime:
    """A parsed local time made UTC with the file's own VTIMEZONE, not the tz database."""
    if moment.tzinfo is dt.timezone.utc:
        return moment
    (vtimezone,) = calendar.timezones
    tzinfo = IcsTimezoneInfo.from_timezone(vtimezone)
    return moment.replace(tzinfo=tzinfo).astimezone(dt.timezone.utc)


@pytest.fixture(scope="session")
def icaljs():
    """A function that parses .ics bytes with ical.js under node and returns a dict."""
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed, so the ical.js (Thunderbird) parser cannot run")
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        npm = shutil.which("npm")
        assert npm, "node is installed but npm is not: install ical.js with `npm install` in tests/js"
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent"], cwd=JS_DIR, check=True, timeout=300)

    def parse(body: bytes, tmp_dir: Path) -> dict:
        path = tmp_dir / "calendar.ics"
        path.write_bytes(body)
        done = subprocess.run([node, str(JS_DIR / "parse_ics.mjs"), str(path)], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return parse
