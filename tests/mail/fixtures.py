"""Fixtures for tests of the bot with e-mail on: an SMTP sink and the settings that point
the bot at it.  ``from tests.mail.fixtures import *  # noqa`` in a test module."""

from __future__ import annotations

import pytest

from tests.mail.helpers import PUBLIC, mail_env
from tests.smtp_server import SmtpSink


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def public_url():
    return PUBLIC


@pytest.fixture
def extra_env(smtp):
    return mail_env(smtp.url)


__all__ = ["smtp", "public_url", "extra_env"]
