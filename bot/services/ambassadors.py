"""One ambassador per organisation: the seeds' process gives every participating
organisation exactly one ambassadeur, who carries the agreements into it.

The rule lives here once; ``check`` and ``import`` apply it to the parsed file, the
summary to the people in the database.  The trekker's own organisation is led by the
trekker and needs no ambassador (more than one is still reported).  It is a warning,
never an error: the file is saved all the same.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Organisation, Person


@dataclass
class AmbassadorCheck:
    missing: list[str] = field(default_factory=list)  # organisation names without an ambassador
    several: list[tuple[str, int]] = field(default_factory=list)  # (name, how many)

    def __bool__(self) -> bool:
        return bool(self.missing or self.several)

    def as_data(self) -> dict:
        return {"missing": list(self.missing), "several": [{"name": n, "count": c} for n, c in self.several]}


def check(organisations: Iterable[tuple[str, str]], people: Iterable[tuple[str, list[str]]]) -> AmbassadorCheck:
    """``organisations``: (key, name) in file order; ``people``: (organisation key, roles)."""
    ambassadors: Counter[str] = Counter()
    led_by_trekker: set[str] = set()
    for organisation, roles in people:
        if "ambassadeur" in roles:
            ambassadors[organisation] += 1
        if "trekker" in roles:
            led_by_trekker.add(organisation)
    result = AmbassadorCheck()
    for key, name in organisations:
        n = ambassadors[key]
        if n == 0 and key not in led_by_trekker:
            result.missing.append(name)
        elif n > 1:
            result.several.append((name, n))
    return result


def check_file(tf) -> AmbassadorCheck:
    """The rule on a parsed trajectory file."""
    return check(((o.key, o.name) for o in tf.organisations), ((p.organisation, list(p.roles)) for p in tf.people))


async def check_trajectory(s: AsyncSession, trajectory_id: int) -> AmbassadorCheck:
    """The rule on the active people of a trajectory in the database."""
    organisations = (
        await s.execute(select(Organisation.id, Organisation.name).where(Organisation.trajectory_id == trajectory_id).order_by(Organisation.name))
    ).all()
    people = (
        await s.execute(select(Person.organisation_id, Person.roles).where(Person.trajectory_id == trajectory_id, Person.active.is_(True)))
    ).all()
    return check(((str(i), name) for i, name in organisations), ((str(org), list(roles or [])) for org, roles in people))
