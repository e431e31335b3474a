"""What references in the file may point at, and the readers of such references."""

from __future__ import annotations

from dataclasses import dataclass

from bot.trajectory_format.checker import Checker
from bot.trajectory_format.model import FormSpec, OrganisationSpec, PersonSpec
from bot.trajectory_format.nodes import PathNode


@dataclass
class Known:
    """What references may point at.  ``None`` means: that section is missing or broken,
    so references to it are not checked (its own errors already say what is wrong)."""

    organisations: dict[str, OrganisationSpec] | None = None
    people: dict[str, PersonSpec] | None = None
    forms: dict[str, FormSpec] | None = None

    @property
    def organisation_keys(self) -> list[str] | None:
        return None if self.organisations is None else list(self.organisations)

    @property
    def emails(self) -> list[str] | None:
        return None if self.people is None else list(self.people)


def reference(c: Checker, n: PathNode | None, choices: list[str] | None, code: str) -> str | None:
    """A key that must be one of ``choices``."""
    value = c.key(n)
    if value is None or not c.known(n, value, choices, code):
        return None
    return value


def email_reference(c: Checker, n: PathNode | None, known: Known) -> str | None:
    email = c.email(n)
    if email is None or not c.known(n, email, known.emails, "unknown_person"):
        return None
    return email
