"""The MIME form of a mail: headers, text and HTML alternatives, and the calendar part
or an attached file beside them (``multipart/mixed`` around ``multipart/alternative``).

The ``Message-ID`` comes from the outbox key, so a row sent again after a crash carries
the same id and a mail client or server can tell it is the same message."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.contentmanager import _encode_base64, _encode_text
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

from bot.chat import FileUpload
from bot.mail.render import RenderedMail


@dataclass(frozen=True)
class CalendarPart:
    content: bytes  # the .ics (UTF-8)
    method: str  # REQUEST | CANCEL
    filename: str = "invite.ics"


def address_of(value: str) -> str:
    return parseaddr(value)[1]


def message_id(key: str, mail_from: str) -> str:
    """``<digest.dialoogbot@domain>``: the same for every send of one outbox row."""
    domain = address_of(mail_from).rpartition("@")[2] or "dialoogbot.invalid"
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}.dialoogbot@{domain}>"


def _header(msg: EmailMessage, name: str, value: str, probe: str | None = None) -> None:
    """``msg[name] = value``, stored as it is when the header registry would write it out
    unchanged (checked once per value for the headers that repeat from mail to mail): the
    parsing and folding of a header is most of the cost of building a mail."""
    if value.isascii() and _unchanged(name, probe or value):
        msg.set_raw(name, value)
    else:
        msg[name] = value


@lru_cache(maxsize=256)
def _unchanged(name: str, value: str) -> bool:
    smtp = policy.SMTP
    return smtp.fold(name, smtp.header_store_parse(name, value)[1]) == f"{name}: {value}\r\n"


@lru_cache(maxsize=256)
def _parsed(name: str, value: str):
    """The registry's header object for ``value``, made once: a header stored as a string
    is parsed again each time it is read, and the generator reads Content-Type often."""
    return policy.SMTP.header_store_parse(name, value)[1]


def build(
    mail: RenderedMail,
    *,
    to: str,
    name: str | None,
    mail_from: str,
    reply_to: str | None,
    key: str,
    now: datetime,
    calendar: CalendarPart | None = None,
    attachment: FileUpload | None = None,
) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = mail.subject
    _header(msg, "From", mail_from)
    msg["To"] = formataddr((name, to)) if name else to
    if reply_to:
        _header(msg, "Reply-To", reply_to)
    msg.set_raw("Date", format_datetime(now))  # ASCII, short: written as it is either way
    mid = message_id(key, mail_from)
    _header(msg, "Message-ID", mid, probe="<" + "0" * 40 + mid[41:])  # the digest varies, never its form
    _header(msg, "Auto-Submitted", "auto-generated")
    _content(msg, mail, calendar, attachment)
    # After the content: setting content clears every Content-* header.
    _header(msg, "Content-Language", mail.language)
    return msg


def _content(msg: EmailMessage, mail: RenderedMail, calendar: CalendarPart | None, attachment: FileUpload | None) -> None:
    if attachment is not None:
        msg.set_content(mail.text, subtype="plain", charset="utf-8")
        msg.add_alternative(mail.html, subtype="html", charset="utf-8")
        msg.make_mixed()
        maintype, subtype = _content_type(attachment.filename)
        msg.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
        return
    # What set_content + add_alternative (+ make_mixed) make, with each Content-* header
    # parsed once per value, not once per mail (set_content clears Content-* headers first).
    msg.clear_content()
    msg.set_raw("MIME-Version", _parsed("MIME-Version", "1.0"))
    alternative = [_text_part("plain", mail.text), _text_part("html", mail.html, mime_version=True)]
    if calendar is None:
        msg.set_raw("Content-Type", _parsed("Content-Type", "multipart/alternative"))
        msg.set_payload(alternative)
        return
    both = EmailMessage(policy=policy.SMTP)
    both.set_raw("Content-Type", _parsed("Content-Type", "multipart/alternative"))
    both.set_payload(alternative)
    msg.set_raw("Content-Type", _parsed("Content-Type", "multipart/mixed"))
    msg.set_payload([both, calendar_part(calendar)])


def _text_part(subtype: str, text: str, mime_version: bool = False) -> EmailMessage:
    """``set_content(text, subtype=subtype, charset="utf-8")`` on a new part (the same
    transfer encoding, chosen by the library)."""
    part = EmailMessage(policy=policy.SMTP)
    cte, payload = _encode_text(text, "utf-8", None, policy.SMTP)
    part.set_payload(payload)
    part.set_raw("Content-Type", _parsed("Content-Type", f'text/{subtype}; charset="utf-8"'))
    part.set_raw("Content-Transfer-Encoding", _parsed("Content-Transfer-Encoding", cte))
    if mime_version:
        part.set_raw("MIME-Version", _parsed("MIME-Version", "1.0"))
    return part


def calendar_part(calendar: CalendarPart) -> MIMEPart:
    """The inline text/calendar part, byte for byte what ``set_content(..., cte="base64",
    disposition="inline", filename=..., params={"method": ..., "charset": "UTF-8"})``
    makes, with its three ASCII headers parsed once per value instead of once per mail
    (a third of the CPU of building an invitation's MIME form)."""
    part = MIMEPart(policy=policy.SMTP)
    part.set_payload(_encode_base64(calendar.content, max_line_length=policy.SMTP.max_line_length))
    part.set_raw("Content-Transfer-Encoding", _parsed("Content-Transfer-Encoding", "base64"))
    part.set_raw("Content-Disposition", _parsed("Content-Disposition", f'inline; filename="{calendar.filename}"'))
    part.set_raw("Content-Type", _parsed("Content-Type", f'text/calendar; method="{calendar.method}"; charset="UTF-8"'))
    return part


_TYPES = {
    ".csv": ("text", "csv"),
    ".ics": ("text", "calendar"),
    ".png": ("image", "png"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".json": ("application", "json"),
}


def _content_type(filename: str) -> tuple[str, str]:
    for suffix, kind in _TYPES.items():
        if filename.lower().endswith(suffix):
            return kind
    return "application", "octet-stream"
