"""iTIP replies (RFC 5546 4.2.2, carried as in RFC 6047) shaped as mail clients send them.

* ``outlook``: multipart/alternative, text/plain + ``text/calendar; method=REPLY``
  (base64), Exchange's ``X-MS-*`` headers and ``X-MICROSOFT-CDO-*`` / ``X-MS-OLK-*``
  properties, a Windows time zone name, an optional ``COMMENT``.
* ``gmail``: multipart/mixed around multipart/alternative (text/plain, text/html, the
  inline ``text/calendar; method=REPLY``) plus the same calendar as the attachment
  ``invite.ics`` (``application/ics``).  ``attachment_only`` drops the inline part: only
  ``invite.ics``, without a ``method`` MIME parameter.
* ``forwarded``: a mail with another reply inside as ``message/rfc822``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

BOT = "dialoog@provincie.example"
STAMP = datetime(2027, 2, 1, 9, 30, tzinfo=UTC)


def outlook_ics(uid: str, attendee: str, partstat: str, sequence: int = 0, comment: str | None = None) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "METHOD:REPLY",
        "PRODID:Microsoft Exchange Server 2010",
        "VERSION:2.0",
        "BEGIN:VTIMEZONE",
        "TZID:W. Europe Standard Time",
        "BEGIN:STANDARD",
        "DTSTART:16010101T030000",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:16010101T020000",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
        "BEGIN:VEVENT",
        f"ATTENDEE;PARTSTAT={partstat};CN=Genodigde:mailto:{attendee}",
    ]
    if comment is not None:
        escaped = comment.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        lines.append(f"COMMENT;LANGUAGE=nl-NL:{escaped}")
    lines += [
        "SUMMARY;LANGUAGE=nl-NL:Geaccepteerd: Startbijeenkomst lokaal hitteplan",
        "DTSTART;TZID=W. Europe Standard Time:20270309T140000",
        "DTEND;TZID=W. Europe Standard Time:20270309T163000",
        f"UID:{uid}",
        "CLASS:PUBLIC",
        "PRIORITY:5",
        "DTSTAMP:20270201T093000Z",
        "TRANSP:OPAQUE",
        "STATUS:CONFIRMED",
        f"SEQUENCE:{sequence}",
        "LOCATION;LANGUAGE=nl-NL:Zorgcentrum De Linde\\, grote zaal",
        f"X-MICROSOFT-CDO-APPT-SEQUENCE:{sequence}",
        "X-MICROSOFT-CDO-OWNERAPPTID:-1208459364",
        "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
        "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
        "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE",
        "X-MICROSOFT-CDO-IMPORTANCE:1",
        "X-MICROSOFT-CDO-INSTTYPE:0",
        "X-MICROSOFT-DONOTFORWARDMEETING:FALSE",
        "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
        "X-MS-OLK-AUTOSTARTCHECK:FALSE",
        "X-MS-OLK-CONFTYPE:0",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def gmail_ics(uid: str, attendee: str, partstat: str, sequence: int = 0) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REPLY",
        "BEGIN:VEVENT",
        "DTSTART:20270309T130000Z",
        "DTEND:20270309T153000Z",
        "DTSTAMP:20270201T093000Z",
        f"ORGANIZER;CN=Dialoogbot Provincie:mailto:{BOT}",
        f"UID:{uid}",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT="
        f"{partstat};CN={attendee};X-NUM-GUESTS=0:mailto:{attendee}",
        "CREATED:20270201T090000Z",
        "LAST-MODIFIED:20270201T093000Z",
        "LOCATION:Zorgcentrum De Linde\\, grote zaal",
        f"SEQUENCE:{sequence}",
        "STATUS:CONFIRMED",
        "SUMMARY:Startbijeenkomst lokaal hitteplan",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def _headers(msg: EmailMessage, sender: str, subject: str, message_id: str | None) -> None:
    msg["From"] = sender
    msg["To"] = f"Dialoogbot Provincie <{BOT}>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(STAMP)
    msg["Message-ID"] = message_id or make_msgid(domain="client.example")


def outlook(uid: str, attendee: str, partstat: str, sequence: int = 0, comment: str | None = None,
            message_id: str | None = None) -> bytes:
    msg = EmailMessage()
    word = {"ACCEPTED": "Geaccepteerd", "DECLINED": "Geweigerd", "TENTATIVE": "Voorlopig"}.get(partstat, partstat)
    _headers(msg, f"Genodigde <{attendee}>", f"{word}: Startbijeenkomst lokaal hitteplan", message_id)
    msg["Thread-Topic"] = "Startbijeenkomst lokaal hitteplan"
    msg["Content-Language"] = "nl-NL"
    msg["X-MS-Has-Attach"] = ""
    msg["X-MS-TNEF-Correlator"] = ""
    msg["X-MS-Exchange-Organization-AuthAs"] = "Internal"
    msg["X-MS-Exchange-Organization-SCL"] = "-1"
    msg.set_content(comment or "", charset="utf-8")
    ics = outlook_ics(uid, attendee, partstat, sequence, comment).encode()
    msg.add_alternative(ics, maintype="text", subtype="calendar", params={"method": "REPLY", "charset": "utf-8"},
                        cte="base64")
    return bytes(msg)


def gmail(uid: str, attendee: str, partstat: str, sequence: int = 0, attachment_only: bool = False,
          message_id: str | None = None) -> bytes:
    msg = EmailMessage()
    word = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentatively Accepted"}[partstat]
    _headers(msg, f"<{attendee}>", f"{word}: Startbijeenkomst lokaal hitteplan @ Tue 9 Mar 2027", message_id)
    ics = gmail_ics(uid, attendee, partstat, sequence).encode()
    msg.set_content(f"{attendee} has answered this invitation: {word}.")
    msg.add_alternative(f"<p>{attendee} has answered this invitation: <b>{word}</b>.</p>", subtype="html")
    if not attachment_only:
        msg.add_alternative(ics, maintype="text", subtype="calendar", params={"method": "REPLY", "charset": "UTF-8"},
                            cte="7bit")
    msg.make_mixed()
    msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics", cte="base64")
    return bytes(msg)


def forwarded(inner: bytes, sender: str) -> bytes:
    """``inner`` forwarded as an attachment (message/rfc822), as Outlook and Apple Mail do."""
    from email import message_from_bytes, policy

    msg = EmailMessage()
    _headers(msg, sender, "Doorgestuurd: Startbijeenkomst lokaal hitteplan", None)
    msg.set_content("Zie het antwoord hieronder.")
    msg.add_attachment(message_from_bytes(inner, policy=policy.default))
    return bytes(msg)


def unreadable(uid: str) -> bytes:
    msg = EmailMessage()
    _headers(msg, "Iemand <iemand@elders.example>", "Accepted", None)
    msg.set_content("kapot")
    broken = f"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:niet-een-datum\r\n".encode()
    msg.add_alternative(broken, maintype="text", subtype="calendar", params={"method": "REPLY"}, cte="base64")
    return bytes(msg)

