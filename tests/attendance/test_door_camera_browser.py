"""Check-in by QR code with the phone's camera, in Debian's chromium with a fake camera.

Chromium plays a Y4M video as its camera (``--use-file-for-fake-video-capture``): here
frames of a participant's QR code, made from their door code as the confirmation makes it.
The page reads it (BarcodeDetector where chromium has it, else the vendored jsQR) and
checks the person in, without a reload; the counts change and the page says who came in.
"""
import pytest

from gatherings.registration import door_codes
from tests.factories import make_registration

from .test_browser import ARGS, CHROMIUM, PHONE, _checked_in, _login, door  # noqa: F401  (door: a fixture)

pytestmark = [pytest.mark.browser]

WIDTH, HEIGHT = 640, 480


def qr_video(code: str, path, frames: int = 10) -> None:
    """A Y4M (YUV 4:2:0) video: the QR code, black on white, in the middle of each frame."""
    matrix = [list(row) for row in door_codes.qr_symbol(code).matrix]
    border, scale = 4, 10
    size = (len(matrix) + 2 * border) * scale
    left, top = (WIDTH - size) // 2, (HEIGHT - size) // 2
    luma = bytearray(b"\xeb" * WIDTH * HEIGHT)  # white
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + (y + border) * scale + dy) * WIDTH + left + (x + border) * scale
                    luma[start:start + scale] = b"\x10" * scale  # black
    chroma = b"\x80" * (WIDTH * HEIGHT // 4)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


def test_the_camera_reads_a_qr_code_and_checks_the_person_in(door, tmp_path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    person = make_registration(door["gathering"], name="Fatima Scan")
    video = tmp_path / "camera.y4m"
    qr_video(person.door_code, video)
    args = ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                   f"--use-file-for-fake-video-capture={video}"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            context = browser.new_context(**PHONE)
            context.grant_permissions(["camera"], origin=door["base"])
            page = context.new_page()
            page.set_default_timeout(15_000)
            _login(page, door["base"])
            page.goto(f"{door['base']}/organise/gatherings/{door['slug']}/checkin")
            expect(page.locator('[data-count="checked_in"]')).to_have_text("0")
            toggle = page.get_by_role("button", name="Camera aanzetten")
            toggle.focus()
            page.keyboard.press("Enter")
            expect(page.locator("#door-scan-status")).to_have_text("Fatima Scan is ingecheckt.", timeout=20_000)
            expect(page.locator('[data-count="checked_in"]')).to_have_text("1")
            assert page.get_by_role("button", name="Camera uitzetten").get_attribute("aria-pressed") == "true"
            assert _checked_in("Fatima Scan") is not None
            # Still in front of the camera: not sent again, and nobody else was checked in.
            page.wait_for_timeout(1500)
            expect(page.locator('[data-count="checked_in"]')).to_have_text("1")
            page.get_by_role("button", name="Camera uitzetten").click()
            expect(page.locator("#door-video")).to_be_hidden()
        finally:
            browser.close()


def test_without_a_camera_the_code_is_typed(door):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    person = make_registration(door["gathering"], name="Piet Typt")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(**PHONE, java_script_enabled=False)
            page = context.new_page()
            _login(page, door["base"])
            page.goto(f"{door['base']}/organise/gatherings/{door['slug']}/checkin")
            expect(page.get_by_role("button", name="Camera aanzetten")).to_be_hidden()  # no script: no camera
            page.get_by_label("Code van de aanmelding").fill(person.door_code.lower())
            page.get_by_role("button", name="Inchecken met code").click()
            expect(page.get_by_text("Piet Typt is ingecheckt.")).to_be_visible()
            assert _checked_in("Piet Typt") is not None
        finally:
            browser.close()
