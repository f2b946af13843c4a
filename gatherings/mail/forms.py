"""Forms of a person's own area."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField
from wtforms.validators import Email, InputRequired, Length


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AccessLinkForm(FlaskForm):
    email = EmailField(
        _l("E-mailadres"),
        filters=[_strip],
        validators=[InputRequired(_l("Vul uw e-mailadres in.")),
                    Length(max=254, message=_l("Dit e-mailadres is te lang.")),
                    Email(_l("Dit is geen geldig e-mailadres. Een e-mailadres ziet eruit als naam@voorbeeld.nl."),
                          check_deliverability=False)],
    )


class EraseForm(FlaskForm):
    confirm = HiddenField(default="yes")
