"""Who is reached where: the routing rule with and without e-mail configured."""

from __future__ import annotations

import pytest

from bot import identity
from bot.models import Person


@pytest.fixture
def email_on():
    before = identity.email_enabled()
    identity.use_email(True)
    yield
    identity.use_email(before)


@pytest.fixture
def email_off():
    before = identity.email_enabled()
    identity.use_email(False)
    yield
    identity.use_email(before)


def person(**fields) -> Person:
    values = {"email": "p@example.org", "platform": None, "slack_user_id": None, "teams_user_id": None}
    return Person(**(values | fields))


def test_without_mail_settings_nothing_changes(email_off):
    assert identity.route(person()) is None and not person().reachable
    assert identity.route(person(platform="email", slack_user_id="U1")) == ("slack", "U1")
    assert identity.route(person(slack_user_id="U1", teams_user_id="29:x")) == ("teams", "29:x")


def test_with_mail_the_unreachable_get_email(email_on):
    assert identity.route(person()) == ("email", "p@example.org") and person().reachable
    assert identity.reached_by(person(slack_user_id="U1")) == "slack"
    assert identity.reached_by(person(teams_user_id="29:x")) == "teams"
    assert identity.route(person(platform="email", slack_user_id="U1", teams_user_id="29:x")) == ("email", "p@example.org")
    assert identity.route(person(platform="slack", slack_user_id="U1")) == ("slack", "U1")


def test_bootstrap_turns_email_routing_on_only_with_mail_settings(tmp_path):
    from bot.app import bootstrap
    from bot.settings import load_settings

    db = f"sqlite:///{tmp_path / 'x.db'}"
    bootstrap(load_settings({"DATABASE_URL": db, "SMTP_URL": "smtp://127.0.0.1:2525", "MAIL_FROM": "b@x.example"}, dotenv=False))
    assert identity.email_enabled()
    bot = bootstrap(load_settings({"DATABASE_URL": db}, dotenv=False))
    assert not identity.email_enabled() and "email" not in bot.ctx.chats
