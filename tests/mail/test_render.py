"""Every outbox template a person can get in chat has a mail rendering; hostile user text
stays literal in the HTML; settings for mail are checked with clear Dutch messages."""

from __future__ import annotations

import typing
from datetime import datetime, timezone

import pytest

from bot.chat import OutMessage
from bot.mail.render import render
from bot.mail.views import BUILDERS, CHANNEL_ONLY, FILES
from bot.settings import SettingsError, load_settings
from bot.viewmodels import VIEWMODELS
from bot.web.links import LinkSigner

NOW = datetime(2027, 2, 1, 8, 0, tzinfo=timezone.utc)
HOSTILE = '<script>alert("x")</script> *vet* <https://evil|klik>'


def test_every_template_has_a_mail_rendering_or_is_channel_only():
    missing = sorted(t for t in VIEWMODELS if t not in BUILDERS and t not in CHANNEL_ONLY | FILES)
    assert missing == []
    assert not (set(BUILDERS) - set(VIEWMODELS))


def _sample(template: str) -> dict:
    """A view-model with every key of the template's TypedDict filled plausibly."""
    base = {
        "trajectory": HOSTILE, "timezone": "Europe/Amsterdam", "session_key": "start", "title": HOSTILE,
        "starts": "2027-04-13T10:00:00+02:00", "ends": "2027-04-13T12:00:00+02:00", "location": "Stadhuis",
        "agenda": "1. Welkom", "phase": {"number": 1, "name": "Afbakenen"}, "organisations": ["GGD"], "cancelled": False,
        "invitation_id": 7, "name": HOSTILE, "status": "pending", "colleague": None, "delegated_from": None,
        "calendar_url": None, "calendar_file": False, "commitment_id": 3, "description": HOSTILE, "due": "2027-03-01",
        "organisation": "GGD", "owner": "Jan", "snoozed_until": None, "last_note": HOSTILE, "overdue_days": 2,
        "actor": "Piet", "email": "jan@example.org", "groups": [{"organisation": "GGD", "items": [{"description": "x", "owner": "y", "due": "2027-03-01", "status": "open", "last_note": None}]}],
        "memo_id": 1, "body": HOSTILE, "author": "Trekker", "report": None, "session": None, "recipient_id": 9, "read_at": None,
        "count": 3, "unreachable": [], "send_at": "2027-02-01T09:00:00+01:00", "later": False, "reminder_days": None,
        "prompt_id": 4, "anonymous": True, "closes": "2027-04-20T12:00:00+02:00", "state": "open", "editable": False, "questions": 3,
        "evaluation_id": 2, "closed": True, "threshold": 3, "prompted": 5, "responded": 4, "answers": 4, "hidden": None,
        "channel": "#x", "error": "not_in_channel", "request_id": 5, "link": "https://docs.example/akkoord", "deadline": "2027-06-01",
        "decision": "pending", "decided_by": None, "reason": None, "question": HOSTILE, "asker": "Jan", "invited": False,
        "sent": 2000, "failed": 1, "found": [HOSTILE], "not_found": ["Piet"], "still": [], "session_id": 8, "present": None,
        "url": "https://dialoog.example/dashboard/in/abc",
    }
    if template == "evaluation_results":
        base["questions"] = [{"question": "Hoe was het?", "count": 4, "type": "text", "answers": [{"text": HOSTILE}]}]
    if template.startswith("commitment"):
        base["status"] = "open"
    keys = typing.get_type_hints(VIEWMODELS[template]).keys()
    return {k: base[k] for k in keys if k in base}


@pytest.mark.parametrize("template", sorted(BUILDERS))
def test_each_mail_renders_in_both_languages_with_user_text_escaped(template):
    links = LinkSigner("k", "https://dialoog.example")
    mail = render(OutMessage(template, _sample(template), "nl", key=f"k:{template}", person_id=12), links, NOW)
    assert mail.subject and "\n" not in mail.subject
    assert "<script>" not in mail.html
    assert '<html lang="nl">' in mail.html and '<div lang="en">' in mail.html
    assert "Wat wacht er op mij" in mail.html and "What is waiting for me" in mail.html
    assert mail.text.strip()
    english = render(OutMessage(template, _sample(template), "en", key="k", person_id=12), links, NOW)
    assert '<html lang="en">' in english.html


def test_a_missing_mail_view_fails_permanently():
    from bot.chat import ChatError

    with pytest.raises(ChatError) as caught:
        render(OutMessage("summary", {}, "nl"), None, NOW)
    assert caught.value.permanent


@pytest.mark.parametrize(
    "env, code",
    [
        ({"SMTP_URL": "http://mail.example"}, "mail_url"),
        ({"SMTP_URL": "smtp://mail.example"}, "mail_from_missing"),
        ({"SMTP_URL": "smtp://mail.example", "MAIL_FROM": "geen adres"}, "mail_address"),
        ({"MAIL_PER_MINUTE": "veel"}, "not_whole_number"),
        ({"MAIL_PER_MINUTE": "0"}, "not_positive"),
        ({"IMAP_URL": "ftp://x"}, "mail_url"),
    ],
)
def test_bad_mail_settings_say_what_to_do_in_dutch(env, code):
    with pytest.raises(SettingsError) as caught:
        load_settings(env, dotenv=False)
    assert caught.value.code == code
    assert caught.value.message("nl") != caught.value.message("en")


def test_mail_settings_are_parsed():
    s = load_settings({"SMTP_URL": "smtps://bot%40x:ge%3Aheim@mail.example", "MAIL_FROM": "Bot <bot@x.example>",
                       "IMAP_URL": "imaps://bot:pw@mail.example/INBOX", "MAIL_PER_MINUTE": "30"}, dotenv=False)
    assert (s.smtp.host, s.smtp.port, s.smtp.username, s.smtp.password, s.smtp.implicit_tls) == ("mail.example", 465, "bot@x", "ge:heim", True)
    assert (s.imap_url.port, s.imap_url.path) == (993, "/INBOX")
    assert s.mail_per_minute == 30 and s.mail_configured
    assert "ge:heim" not in repr(s.smtp)
    assert load_settings({"SMTP_URL": "smtp://m.example", "MAIL_FROM": "b@x.example"}, dotenv=False).smtp.port == 587
    assert not load_settings({}, dotenv=False).mail_configured
