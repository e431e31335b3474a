"""The ``commitments`` section."""

from __future__ import annotations

from bot.trajectory_format.checker import Checker
from bot.trajectory_format.model import CommitmentSpec
from bot.trajectory_format.nodes import PathNode
from bot.trajectory_format.references import Known, email_reference, reference

_COMMITMENT_FIELDS = ("key", "organisation", "owner", "description", "due", "phase")


def read_commitments(c: Checker, n: PathNode | None, known: Known) -> list[CommitmentSpec]:
    items = c.items(n)
    if items is None:
        return []
    commitments: list[CommitmentSpec] = []
    seen: dict[str, int] = {}
    for item in items:
        f = c.fields(item, _COMMITMENT_FIELDS, required=("key", "organisation", "owner", "description", "due"))
        if f is None:
            continue
        key = c.key(f.get("key"))
        if "key" in f and not c.unique(f["key"], key, seen):
            key = None
        organisation = reference(c, f.get("organisation"), known.organisation_keys, "unknown_organisation")
        owner = email_reference(c, f.get("owner"), known)
        if organisation is not None and owner is not None and known.people is not None:
            actual = known.people[owner].organisation
            if actual is not None and actual != organisation:
                c.error(f["owner"], "owner_wrong_organisation", owner=owner, actual=actual,
                        organisation=organisation)
        commitments.append(CommitmentSpec(
            key=key,
            organisation=organisation,
            owner=owner,
            description=c.text(f.get("description")),
            due=c.date(f.get("due")),
            phase=c.integer(f["phase"], 1, 3) if "phase" in f else None,
        ))
    return commitments
