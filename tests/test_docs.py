"""The repository explains itself: docs/product.md lists every public address, and nothing cites a file it lacks."""
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.sqlite_only  # about files and routes, not the database: once per `make test`


def _shape(path: str) -> str:
    """/calendar/themes/<slug>.ics and /calendar/themes/<theme-slug>.ics are the same address."""
    return re.sub(r"<[^>]*>", "<>", path)


def test_every_public_address_of_the_app_is_in_docs_product_md(app):
    documented = _shape((ROOT / "docs" / "product.md").read_text())
    public = {rule.rule for rule in app.url_map.iter_rules()
              if not rule.rule.startswith(("/organise", "/static"))}
    missing = sorted(path for path in public if f"{_shape(path)}`" not in documented
                     and f"{_shape(path)} " not in documented)
    assert not missing, f"addresses the app serves that docs/product.md does not list: {missing}"


def test_every_programme_address_of_the_organiser_area_is_in_docs_product_md(app):
    section = (ROOT / "docs" / "product.md").read_text().split("## The programme, for organisers", 1)[1]
    section = section.split("\n## ", 1)[0]
    listed = {}
    for methods, path in re.findall(r"`((?:GET|POST)(?:, POST)?) (/organise/[^`\s]*)`", section):
        listed[_shape(path)] = set(methods.split(", "))
    served = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/organise/gatherings/<slug>/programme"):
            served.setdefault(_shape(rule.rule), set()).update(rule.methods - {"HEAD", "OPTIONS"})
    assert served and listed == served


def test_every_address_in_the_docs_table_is_served(app):
    table = (ROOT / "docs" / "product.md").read_text().split("## Public addresses", 1)[1].split("\n## ", 1)[0]
    served = {_shape(rule.rule) for rule in app.url_map.iter_rules()}
    listed = {_shape(path) for path in re.findall(r"`(?:GET|POST|GET, POST) (/[^`\s]*)`", table)}
    assert listed and not sorted(listed - served)


def test_nothing_in_the_repository_cites_a_product_description_it_does_not_hold():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    citing = [name for name in files
              if name != "tests/test_docs.py" and (ROOT / name).is_file()
              and re.search(r"PRODUCT\.md|\.\./shared", (ROOT / name).read_text(errors="ignore"))]
    assert not citing
