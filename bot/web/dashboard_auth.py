"""Signing in to the trekker's dashboard without a password.

- :func:`sign_in_link` makes a one-time link (``/dashboard/in/<token>``), valid 15
  minutes; only the token's SHA-256 is stored.  Opening it (GET) changes nothing (mail
  scanners open every link); the button on that page (POST) uses it up and starts a
  session.
- A trekker on e-mail asks for the link on their page "Wat wacht er op mij"
  (:func:`mail_link`): it goes out by mail at once, at most one per five minutes.  Until
  the link is used or expired, its outbox row holds it (the row expires with the link).
- A session lives in the database; the cookie holds its token (Secure, HttpOnly,
  SameSite=Lax).  It ends on sign-out or after 8 hours without a request.
- The acting user is the trekker's person on the platform they asked from
  (``identity.User``; ``identity.email`` for a trekker on e-mail), so every use case
  checks the trekker itself (``bot.interactions.actors.trekker``).
- CSRF: each form carries an HMAC bound to the session token (``LinkSigner.csrf``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from bot import identity, outbox
from bot.context import Context
from bot.identity import User
from bot.models import DashboardSession, DashboardSignIn, Person, Trajectory

SIGN_IN_VALID = timedelta(minutes=15)
IDLE = timedelta(hours=8)
TOUCH_AFTER = timedelta(minutes=1)  # last_seen_at is written at most once a minute
COOKIE = "dialoog_dashboard"
MAIL_EVERY = timedelta(minutes=5)  # at most one sign-in mail per trekker and trajectory


class NotReady(Exception):
    """A setting the dashboard needs is missing: ``setting`` is PUBLIC_URL or SECRET_KEY."""

    def __init__(self, setting: str):
        super().__init__(setting)
        self.setting = setting


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_of(person: Person, platform: str) -> User:
    """The platform user the trekker acts as (the one they asked for the link from)."""
    ids = {"slack": person.slack_user_id, "teams": person.teams_user_id}
    found = ids.get(platform)
    return User(platform, found) if found else User("email", person.email)


def _platform(person: Person, platform: str | None) -> str:
    return platform if platform in ("slack", "teams") and user_of(person, platform).platform == platform else "email"


def _ready(ctx: Context) -> str:
    """PUBLIC_URL, or :class:`NotReady` when a setting the dashboard needs is missing."""
    base = ctx.settings.public_url
    if not base:
        raise NotReady("PUBLIC_URL")
    if ctx.links is None:
        raise NotReady("SECRET_KEY")
    return base


def _add_sign_in(ctx: Context, s, person: Person, platform: str | None) -> str:
    base = _ready(ctx)
    token = secrets.token_urlsafe(32)
    now = ctx.now()
    s.add(DashboardSignIn(
        token_hash=_hash(token), person_id=person.id, platform=_platform(person, platform),
        created_at=now, expires_at=now + SIGN_IN_VALID,
    ))
    return f"{base.rstrip('/')}/dashboard/in/{token}"


async def sign_in_link(ctx: Context, person: Person, platform: str | None = None) -> str:
    """A one-time sign-in link for ``person`` (a trekker), valid 15 minutes.  ``platform``:
    where they asked from (slack, teams); anything else signs them in by e-mail address.
    Raises :class:`NotReady` without PUBLIC_URL or SECRET_KEY."""
    async with ctx.db.transaction() as s:
        return _add_sign_in(ctx, s, person, platform)


async def _trekker(s, trajectory_id: int, user: User) -> tuple[Trajectory, Person]:
    """The trajectory and its trekker ``user`` (``actors.trekker``: Refused for anyone else)."""
    from bot.interactions import actors

    trajectory = await actors.trajectory(s, trajectory_id)
    return trajectory, await actors.trekker(s, trajectory, user)


def _link_vm(ctx: Context, s, trajectory: Trajectory, person: Person, platform: str | None) -> dict:
    """A new link's view-model (``viewmodels.DashboardLink``): the chat answer and the mail."""
    return {"trajectory": trajectory.title, "url": _add_sign_in(ctx, s, person, platform)}


async def link_for(ctx: Context, trajectory_id: int, user: User) -> dict:
    """The sign-in link for the trekker ``user`` of this trajectory, as the view-model
    ``{"trajectory": title, "url": link}``; Refused for anyone else."""
    async with ctx.db.transaction() as s:
        trajectory, person = await _trekker(s, trajectory_id, user)
        return _link_vm(ctx, s, trajectory, person, user.platform)


async def mail_link(ctx: Context, trajectory_id: int, user: User) -> bool:
    """The sign-in link by e-mail, asked for on the page "Wat wacht er op mij": True when a
    mail is on its way, False when one went out in this five-minute window (nothing new is
    made: a button pressed ten times sends one mail).  Refused for anyone but a trekker;
    :class:`NotReady` without PUBLIC_URL, SECRET_KEY or SMTP_URL."""
    _ready(ctx)
    if not identity.email_enabled():
        raise NotReady("SMTP_URL")
    now = ctx.now()
    async with ctx.db.transaction() as s:
        trajectory, person = await _trekker(s, trajectory_id, user)
        key = f"dashboard-link:{trajectory.id}:{person.id}:{int(now.timestamp() // MAIL_EVERY.total_seconds())}"
        if await outbox.find(s, key) is not None:
            return False
        await outbox.enqueue(
            s, key=key, op="direct", template="dashboard_link", data=_link_vm(ctx, s, trajectory, person, "email"),
            person=person, platform="email", target=person.email, expires_at=now + SIGN_IN_VALID,
            at_once=True,  # the answer to the trekker's own request
            now=now,
        )
    return True


async def sign_in_state(ctx: Context, token: str) -> str:
    """"ok", "used", "expired" or "unknown" (changes nothing: the GET of the link)."""
    async with ctx.db.sessionmaker() as s:
        row = (await s.execute(select(DashboardSignIn).where(DashboardSignIn.token_hash == _hash(token)))).scalar_one_or_none()
    if row is None:
        return "unknown"
    if row.used_at is not None:
        return "used"
    return "ok" if row.expires_at > ctx.now() else "expired"


@dataclass(frozen=True)
class Started:
    token: str  # the cookie value
    trajectory_key: str


async def redeem(ctx: Context, token: str) -> Started | str:
    """Use the link up and start a session; or the reason it cannot ("used", "expired",
    "unknown").  The update is conditional, so two presses cannot both succeed."""
    now = ctx.now()
    async with ctx.db.transaction() as s:
        row = (await s.execute(select(DashboardSignIn).where(DashboardSignIn.token_hash == _hash(token)))).scalar_one_or_none()
        if row is None:
            return "unknown"
        used = await s.execute(
            update(DashboardSignIn)
            .where(DashboardSignIn.id == row.id, DashboardSignIn.used_at.is_(None), DashboardSignIn.expires_at > now)
            .values(used_at=now)
        )
        if used.rowcount != 1:
            return "used" if row.used_at is not None else "expired"
        person = await s.get(Person, row.person_id)
        if person is None or not person.active:
            return "unknown"
        session_token = secrets.token_urlsafe(32)
        s.add(DashboardSession(
            token_hash=_hash(session_token), person_id=person.id, platform=row.platform,
            created_at=now, last_seen_at=now,
        ))
        key = (await s.execute(select(Trajectory.key).where(Trajectory.id == person.trajectory_id))).scalar_one()
    return Started(session_token, key)


@dataclass(frozen=True)
class SignedIn:
    token: str
    person_id: int
    user: User


async def current(ctx: Context, token: str | None) -> SignedIn | None:
    """The signed-in trekker of a session cookie, or None (unknown, ended, idle too long).
    Two statements: the look-up and, at most once a minute, the touch."""
    if not token:
        return None
    now = ctx.now()
    async with ctx.db.transaction() as s:
        found = (
            await s.execute(
                select(DashboardSession, Person)
                .join(Person, Person.id == DashboardSession.person_id)
                .where(DashboardSession.token_hash == _hash(token), DashboardSession.ended_at.is_(None))
            )
        ).first()
        if found is None:
            return None
        row, person = found
        if row.last_seen_at + IDLE <= now or not person.active:
            return None
        if now - row.last_seen_at >= TOUCH_AFTER:
            await s.execute(update(DashboardSession).where(DashboardSession.id == row.id).values(last_seen_at=now))
        return SignedIn(token, person.id, user_of(person, row.platform))


async def sign_out(ctx: Context, token: str | None) -> None:
    if not token:
        return
    async with ctx.db.transaction() as s:
        await s.execute(
            update(DashboardSession)
            .where(DashboardSession.token_hash == _hash(token), DashboardSession.ended_at.is_(None))
            .values(ended_at=ctx.now())
        )


def csrf(ctx: Context, token: str) -> str:
    return ctx.links.csrf("dashboard:" + token)


def csrf_ok(ctx: Context, token: str, value: str | None) -> bool:
    return ctx.links.csrf_ok("dashboard:" + token, value)


def feed_token(ctx: Context, person_id: int) -> str:
    """The calendar feed's secret: a calendar app subscribes without a cookie."""
    return f"{person_id}-{ctx.links.csrf(f'dashboard-ics:{person_id}')[:32]}"


def feed_person(ctx: Context, token: str) -> int | None:
    person, _, _ = token.partition("-")
    if not person.isdigit() or len(person) > 12:
        return None
    return int(person) if secrets.compare_digest(feed_token(ctx, int(person)), token) else None
