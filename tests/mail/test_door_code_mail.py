"""The confirmation carries the door's QR code: an image in the mail itself, that reads back as the code."""
import pytest

from gatherings.registration import services as registration
from tests.factories import locked_call, make_gathering, make_registration
from tests.qr import read_qr, vendored_jsqr_matches_npm

from .test_messages import deliver, html_of, text_of


def _image_parts(message):
    return [part for part in message.walk() if part.get_content_type() == "image/png"]


def test_the_confirmation_shows_the_qr_code_inline_and_it_reads_back_as_the_door_code(app, smtp, tmp_path):
    gathering = make_gathering(title="Kijkje in de keuken")
    person = make_registration(gathering, email="an@voorbeeld.nl")
    (message,) = deliver(smtp)
    (image,) = _image_parts(message)
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html_of(message)
    assert image.get_content_disposition() == "inline"
    assert read_qr(image.get_content(), tmp_path) == person.door_code
    shown = f"{person.door_code[:5]}-{person.door_code[5:]}"
    assert shown in text_of(message) and shown in html_of(message)
    assert person.token not in image.get_content().decode("latin-1")  # the code, not the personal link
    # The invitation is still a real one next to it.
    assert any(part.get_content_type() == "text/calendar" for part in message.walk())


def test_a_promotion_brings_the_qr_code_and_the_waiting_list_mail_does_not(app, smtp, tmp_path):
    gathering = make_gathering(capacity=1)
    first = make_registration(gathering, email="een@voorbeeld.nl")
    waiting = make_registration(gathering, email="twee@voorbeeld.nl")
    by_address = {m["To"].addresses[0].addr_spec: m for m in deliver(smtp)}
    assert _image_parts(by_address["twee@voorbeeld.nl"]) == []
    assert waiting.door_code not in text_of(by_address["twee@voorbeeld.nl"])
    locked_call(registration.cancel, gathering, first.id)
    promoted = {m["To"].addresses[0].addr_spec: m for m in deliver(smtp)}["twee@voorbeeld.nl"]
    (image,) = _image_parts(promoted)
    assert read_qr(image.get_content(), tmp_path) == waiting.door_code


def test_an_online_gathering_has_no_door_and_no_code(app, smtp):
    gathering = make_gathering(venue_name="", venue_address="", venue_city="", online_url="https://meet.example/x")
    person = make_registration(gathering)
    (message,) = deliver(smtp)
    assert _image_parts(message) == [] and person.door_code not in text_of(message)


def test_the_vendored_decoder_is_npms_jsqr_unchanged():
    same = vendored_jsqr_matches_npm()
    if same is None:
        pytest.skip("jsqr is not installed in tests/js")
    assert same
