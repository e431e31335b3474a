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
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # ``check`` runs the rule on a file without loading the database code
    from sqlalchemy.ext.asyncio import AsyncSession


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
    return judge((name, ambassadors[key], key in led_by_trekker) for key, name in organisations)


def judge(organisations: Iterable[tuple[str, int, bool]]) -> AmbassadorCheck:
    """The rule: ``organisations`` as (name, ambassadors, led by a trekker), in the order to report."""
    result = AmbassadorCheck()
    for name, n, led_by_trekker in organisations:
        if n == 0 and not led_by_trekker:
            result.missing.append(name)
        elif n > 1:
            result.several.append((name, n))
    return result


def check_file(tf) -> AmbassadorCheck:
    """The rule on a parsed trajectory file."""
    return check(((o.key, o.name) for o in tf.organisations), ((p.organisation, list(p.roles)) for p in tf.people))


async def check_trajectory(s: "AsyncSession", trajectory_id: int) -> AmbassadorCheck:
    """The rule on the active people of a trajectory in the database: counted per
    organisation in one grouped query."""
    from sqlalchemy import and_, func, select

    from bot.models import Organisation, Person

    rows = await s.execute(
        select(
            Organisation.name,
            func.count(Person.id).filter(Person.has_role("ambassadeur")),
            func.count(Person.id).filter(Person.has_role("trekker")),
        )
        .outerjoin(Person, and_(Person.organisation_id == Organisation.id, Person.active.is_(True)))
        .where(Organisation.trajectory_id == trajectory_id)
        .group_by(Organisation.id, Organisation.name)
        .order_by(Organisation.name)
    )
    return judge((name, ambassadors, trekkers > 0) for name, ambassadors, trekkers in rows)
