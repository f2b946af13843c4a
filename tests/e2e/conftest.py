"""The browser and a fresh page per test, shared by every browser test in this folder."""
import pytest

from .browser import CHROMIUM, CHROMIUM_ARGS, sync_api


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # bypass_csp only so that the test can inject axe-core; the app's own pages use no inline script.
    context = browser.new_context(locale="nl-NL", bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
