"""The cheaper MIME building (headers stored as they are, the calendar part made by hand,
VTIMEZONE built once) writes the very bytes the library's slower path writes."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from email import policy
from email.message import MIMEPart

import pytest
from aiosmtplib.email import flatten_message
from icalendar import Calendar

from bot import calendar as cal
from bot.mail import message as mime
from bot.mail.render import RenderedMail

SENDERS = [
    ("Dialoogbot <dialoog@bench.example>", "trekker@x.nl", "Jan de Vries"),
    ("Dialoogbot Ümlaut <d@ex.nl>", None, "Ærø Ölsen"),
    ("d@ex.nl", '"Piet, P" <p@x.nl>', None),
    ("Dialoogbot " + "x" * 80 + " <d@e.nl>", "Ümlaut <u@x.nl>", "A" * 90),
]


def slow_build(mail, *, to, name, mail_from, reply_to, key, now, calendar):
    """``mime.build`` as it was: every header through the registry, ``set_content``."""
    from email.message import EmailMessage
    from email.utils import format_datetime, formataddr

    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = mail.subject
    msg["From"] = mail_from
    msg["To"] = formataddr((name, to)) if name else to
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = mime.message_id(key, mail_from)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(mail.text, subtype="plain", charset="utf-8")
    msg.add_alternative(mail.html, subtype="html", charset="utf-8")
    if calendar is None:
        msg["Content-Language"] = mail.language
        return msg
    msg.make_mixed()
    part = MIMEPart(policy=policy.SMTP)
    part.set_content(calendar.content, maintype="text", subtype="calendar", cte="base64", disposition="inline",
                     filename=calendar.filename, params={"method": calendar.method, "charset": "UTF-8"})
    msg.attach(part)
    msg["Content-Language"] = mail.language
    return msg


@pytest.mark.parametrize("mail_from,reply_to,name", SENDERS)
@pytest.mark.parametrize("offset", [0, 2])
@pytest.mark.parametrize("with_calendar", [True, False])
@pytest.mark.parametrize("long_lines", [True, False])
def test_build_writes_the_same_bytes(mail_from, reply_to, name, offset, with_calendar, long_lines):
    now = datetime(2026, 6, 2, 2, 3, 4, tzinfo=timezone(timedelta(hours=offset)))
    html = "<p>html é</p>" * 30 if long_lines else "<p>kort</p>\n" * 5
    mail = RenderedMail("Uitnodiging: Hittedialoog – één", "tekst é\n" * 30 if long_lines else "ascii\n", html, "nl")
    calendar = mime.CalendarPart(("BEGIN:VCALENDAR\r\nSUMMARY:Hitte é\r\n" * 40).encode(), "CANCEL", "hitte.ics")
    calendar = calendar if with_calendar else None
    args = dict(to="x@y.nl", name=name, mail_from=mail_from, reply_to=reply_to, key="k1", now=now, calendar=calendar)
    random.seed(7)  # the multipart boundaries
    slow = flatten_message(slow_build(mail, **args))
    random.seed(7)
    assert flatten_message(mime.build(mail, **args)) == slow


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "UTC", "America/New_York"])
def test_vtimezone_once_gives_the_same_ics(zone, monkeypatch):
    event = cal.CalendarEvent(
        uid="u@dialoogbot", sequence=2, title="Hitte", description="d", location="Stadhuis",
        starts=datetime(2027, 3, 28, 0, 30, tzinfo=timezone.utc), ends=datetime(2027, 3, 28, 3, tzinfo=timezone.utc),
        timezone=zone, stamp=datetime(2026, 1, 1, tzinfo=timezone.utc), organizer_email="a@b.nl", attendee_email="c@d.nl",
    )
    fast = [cal.build_ics(event), cal.build_ics(event)]

    def library(c: Calendar, first: date, last: date) -> bytes:
        c.add_missing_timezones(first_date=first, last_date=last)
        return c.to_ical()

    monkeypatch.setattr(cal, "_to_ical", library)
    assert fast == [cal.build_ics(event)] * 2
