"""Reading the mails the bot sent: parts, links, the calendar entry."""

from __future__ import annotations

import re
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

from icalendar import Calendar

PUBLIC = "https://dialoog.example"
MAIL_FROM = "Dialoogbot Voorbeeldstad <dialoog@voorbeeldstad.example>"
SECRET = "test-secret-key"


def mail_env(smtp_url: str, **extra: str) -> dict[str, str]:
    return {"SMTP_URL": smtp_url, "MAIL_FROM": MAIL_FROM, "SECRET_KEY": SECRET, **extra}


def part(mail: EmailMessage, content_type: str):
    found = [p for p in mail.walk() if p.get_content_type() == content_type]
    return found[0] if found else None


def text_of(mail: EmailMessage) -> str:
    return part(mail, "text/plain").get_content()


def html_of(mail: EmailMessage) -> str:
    return part(mail, "text/html").get_content()


def calendar_of(mail: EmailMessage) -> Calendar | None:
    found = part(mail, "text/calendar")
    return Calendar.from_ical(found.get_payload(decode=True)) if found is not None else None


def event_of(mail: EmailMessage):
    (event,) = calendar_of(mail).walk("VEVENT")
    return event


def links_of(mail: EmailMessage) -> list[str]:
    """Every personal link in the HTML part (buttons and the page "Wat wacht er op mij")."""
    return sorted(set(re.findall(r'href="(' + re.escape(PUBLIC) + r'/p/[^"]+)"', html_of(mail))))


def token_and_choice(url: str) -> tuple[str, str | None]:
    parts = urlsplit(url.replace("&amp;", "&"))
    token = parts.path.rsplit("/", 1)[1]
    choice = parse_qs(parts.query).get("choice", [None])[0]
    return token, choice


def subjects(mails: list[EmailMessage]) -> list[str]:
    return [str(m["Subject"]) for m in mails]
