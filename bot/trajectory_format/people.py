"""The ``organisations`` and ``people`` sections, and roles."""

from __future__ import annotations

from bot.trajectory_format.checker import Checker
from bot.trajectory_format.model import LANGUAGES, PLATFORMS, ROLES, OrganisationSpec, PersonSpec
from bot.trajectory_format.nodes import PathNode
from bot.trajectory_format.references import Known, reference

_ORGANISATION_FIELDS = ("key", "name", "kind")
_PERSON_FIELDS = ("name", "email", "organisation", "roles", "language", "platform")


def read_organisations(c: Checker, n: PathNode | None, known: Known) -> list[OrganisationSpec]:
    items = c.items(n)
    if items is None:
        return []
    organisations: list[OrganisationSpec] = []
    seen: dict[str, int] = {}
    for item in items:
        f = c.fields(item, _ORGANISATION_FIELDS, required=("key", "name"))
        if f is None:
            continue
        key = c.key(f.get("key"))
        if "key" in f and not c.unique(f["key"], key, seen):
            key = None
        organisations.append(OrganisationSpec(key, c.text(f.get("name")), c.optional_text(f.get("kind"))))
    known.organisations = {o.key: o for o in organisations if o.key is not None}
    return organisations


def read_people(c: Checker, n: PathNode | None, known: Known) -> list[PersonSpec]:
    items = c.items(n)
    if items is None:
        return []
    people: list[PersonSpec] = []
    seen: dict[str, int] = {}
    for item in items:
        f = c.fields(item, _PERSON_FIELDS, required=("name", "email", "organisation", "roles"))
        if f is None:
            continue
        email = c.email(f.get("email"))
        if email is not None and not c.unique(f["email"], email, seen, code="duplicate_email"):
            email = None
        person = PersonSpec(
            name=c.text(f.get("name")),
            email=email,
            organisation=reference(c, f.get("organisation"), known.organisation_keys, "unknown_organisation"),
            roles=read_roles(c, f.get("roles"), allow_empty=False),
            language=c.choice(f["language"], LANGUAGES) if "language" in f else None,
            platform=c.choice(f["platform"], PLATFORMS) if "platform" in f else None,
        )
        people.append(person)
    known.people = {p.email: p for p in people if p.email is not None}
    if not any("trekker" in (p.roles or []) for p in people):
        c.error(n, "no_trekker")
    return people


def read_roles(c: Checker, n: PathNode | None, *, allow_empty: bool) -> list[str]:
    roles: list[str] = []
    items = c.items(n, accept_scalar=True)
    if items is None:
        return roles
    for item in items:
        role = c.choice(item, ROLES, code="unknown_role")
        if role is not None and role not in roles:
            roles.append(role)
    if not items and not allow_empty:
        c.error(n, "empty_list")
    return roles
