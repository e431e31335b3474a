"""Signed, expiring links to a person's own pages (``/p/<token>``).

A link grants one person one purpose on one record (an invitation, a memo, a
commitment, an evaluation prompt, a sign-off request, a session whose attendance a
trekker says; ``mine`` for the page "Wat wacht er op mij").  The token is signed with ``itsdangerous`` and carries its own
expiry, checked against the bot's clock (time is injected; itsdangerous' own
``max_age`` reads the wall clock).  A token never holds an e-mail address.

Revocation: a page honours a token only while its person exists and is active, so
removing someone from the file (re-import) or erasing them ends every link at once.

CSRF: each form carries ``csrf(token)``, an HMAC bound to the link token; a POST
without it, or with one made for another link, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from itsdangerous import BadSignature, URLSafeSerializer

PURPOSES = ("rsvp", "memo", "commitment", "evaluation", "signoff", "mine", "attendance")
DEFAULT_VALID = timedelta(days=60)  # after the session or due date the link is about


class LinkError(Exception):
    """``reason`` is "forged" (bad signature or shape) or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Grant:
    person_id: int
    purpose: str
    record_id: int | None
    expires_at: datetime


def expiry(anchor: datetime | None, now: datetime, valid: timedelta = DEFAULT_VALID) -> datetime:
    """When a link about something at ``anchor`` (session start, due date) stops working."""
    base = anchor if anchor is not None and anchor > now else now
    return base + valid


class LinkSigner:
    def __init__(self, secret: str, public_url: str | None):
        self._secret = secret.encode("utf-8")
        self._serializer = URLSafeSerializer(secret, salt="dialoogbot.person-link")
        self.public_url = public_url.rstrip("/") if public_url else None

    def token(self, grant: Grant) -> str:
        if grant.purpose not in PURPOSES:
            raise ValueError(f"unknown link purpose {grant.purpose!r}")
        expires = int(grant.expires_at.astimezone(timezone.utc).timestamp())
        return self._serializer.dumps([grant.person_id, grant.purpose, grant.record_id, expires])

    def url(self, grant: Grant) -> str:
        if not self.public_url:
            raise ValueError("PUBLIC_URL is not set: personal links need it")
        return f"{self.public_url}/p/{self.token(grant)}"

    def read(self, token: str, now: datetime) -> Grant:
        """The grant in ``token``; raises :class:`LinkError` when forged or expired."""
        try:
            value = self._serializer.loads(token)
        except (BadSignature, UnicodeError, ValueError):
            raise LinkError("forged") from None
        if not (isinstance(value, list) and len(value) == 4):
            raise LinkError("forged")
        person_id, purpose, record_id, expires = value
        if (
            not _whole(person_id)
            or purpose not in PURPOSES
            or not (record_id is None or _whole(record_id))
            or not _whole(expires)
        ):
            raise LinkError("forged")
        expires_at = datetime.fromtimestamp(expires, tz=timezone.utc)
        if expires_at <= now:
            raise LinkError("expired")
        return Grant(person_id, purpose, record_id, expires_at)

    def csrf(self, token: str) -> str:
        return hmac.new(self._secret, b"csrf:" + token.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf_ok(self, token: str, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(self.csrf(token), value)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**53
