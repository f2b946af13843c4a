"""Forms of a person's own area."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField

from ..registration.forms import email_validators, strip_whitespace


class AccessLinkForm(FlaskForm):
    email = EmailField(
        _l("E-mailadres"),
        filters=[strip_whitespace],
        validators=email_validators(),
    )


class EraseForm(FlaskForm):
    confirm = HiddenField(default="yes")
