"""Who someone is on a chat platform, and how the bot reaches a person.

A person may be known on Slack, on Teams, or both.  ``route`` picks the platform:
the person's ``platform`` preference from the trajectory file wins; otherwise
Teams when both are known (most Dutch public organisations live in Teams).

E-mail is the third channel, on only when the bot has mail settings (``bootstrap``
calls ``use_email``): then ``platform: email`` people, and everyone the bot cannot
reach on Slack or Teams, are reached at their e-mail address.  Without mail
settings nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement

from bot.models import Person

PLATFORMS = ("slack", "teams")
CHANNELS = ("slack", "teams", "email")  # where a person can be reached


class _Routing:
    email = False  # set once per process by bootstrap (the bot's own settings)


def use_email(enabled: bool) -> None:
    """Reach people by e-mail from now on (or not): bootstrap calls this with the settings."""
    _Routing.email = enabled


def email_enabled() -> bool:
    return _Routing.email


@dataclass(frozen=True)
class User:
    platform: str
    id: str


def slack(user_id: str) -> User:
    return User("slack", user_id)


def email(address: str) -> User:
    """A person reached by e-mail (and acting on their personal web pages) is known by address."""
    return User("email", address)


_COLUMNS = {"teams": "teams_user_id", "email": "email"}


def column(platform: str):
    return getattr(Person, _COLUMNS.get(platform, "slack_user_id"))


def matches(user: User) -> ColumnElement[bool]:
    """SQL condition: the person row is this platform user."""
    return column(user.platform) == user.id


def is_user(person: Person | None, user: User) -> bool:
    if person is None:
        return False
    return getattr(person, _COLUMNS.get(user.platform, "slack_user_id")) == user.id


def route(person: Person) -> tuple[str, str] | None:
    """(platform, user id) to reach the person, or None when unreachable."""
    mail = person.email if _Routing.email and person.email else None
    known = {"slack": person.slack_user_id, "teams": person.teams_user_id, "email": mail}
    if person.platform in known and known[person.platform]:
        return person.platform, known[person.platform]
    for platform in ("teams", "slack", "email"):
        if known[platform]:
            return platform, known[platform]
    return None


def reached_by(person: Person) -> str | None:
    """"slack", "teams", "email", or None: where the bot reaches the person."""
    reach = route(person)
    return reach[0] if reach is not None else None


def channel_route(entry: str) -> tuple[str, str]:
    """A ``status_channel`` entry ("#x", "C123", "slack:#x", "teams:19:...") as (platform, channel)."""
    platform, sep, rest = entry.partition(":")
    if sep and platform in PLATFORMS:
        return platform, rest
    if entry.startswith("19:"):  # a Teams channel id without prefix (the trajectory file allows it)
        return "teams", entry
    return "slack", entry
