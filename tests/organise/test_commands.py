"""``flask organiser add``: the password from a prompt (twice) or from standard input."""
from gatherings.extensions import db
from gatherings.organise import commands
from gatherings.organise.accounts import find_by_email


def test_add_reads_the_password_from_stdin(runner, app):
    result = runner.invoke(args=["organiser", "add", "Piet@Voorbeeld.nl"], input="een goed wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert "piet@voorbeeld.nl is aangemaakt als organisator." in result.output
    organiser = find_by_email("piet@voorbeeld.nl")
    assert organiser.check_password("een goed wachtwoord") and not organiser.is_admin
    assert organiser.password_hash.startswith("scrypt:")


def test_add_admin(runner, app):
    result = runner.invoke(args=["organiser", "add", "beheer@voorbeeld.nl", "--admin"], input="een goed wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert "aangemaakt als beheerder" in result.output
    assert find_by_email("beheer@voorbeeld.nl").is_admin


def test_add_on_a_terminal_asks_twice(runner, app, monkeypatch):
    monkeypatch.setattr(commands, "_stdin_is_tty", lambda: True)
    result = runner.invoke(args=["organiser", "add", "piet@voorbeeld.nl"],
                           input="een goed wachtwoord\nander wachtwoord\neen goed wachtwoord\neen goed wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert "Nog een keer" in result.output
    assert "een goed wachtwoord" not in result.output  # hidden input
    assert find_by_email("piet@voorbeeld.nl").check_password("een goed wachtwoord")


def test_add_refuses_a_short_password_and_a_second_account(runner, app):
    result = runner.invoke(args=["organiser", "add", "piet@voorbeeld.nl"], input="kort\n")
    assert result.exit_code == 1 and "minstens 10 tekens" in result.output
    assert find_by_email("piet@voorbeeld.nl") is None
    runner.invoke(args=["organiser", "add", "piet@voorbeeld.nl"], input="een goed wachtwoord\n")
    result = runner.invoke(args=["organiser", "add", "PIET@voorbeeld.nl"], input="een ander wachtwoord\n")
    assert result.exit_code == 1 and "Er is al een organisator met dit e-mailadres." in result.output
    db.session.expire_all()
    assert find_by_email("piet@voorbeeld.nl").check_password("een goed wachtwoord")
