"""The two ways a use case says no, shared by every channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One field's problem: a template key and its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


class Problems(Exception):
    """Form input that breaks a rule: field name -> problem.  Field names are the
    use case's (``note``, ``snooze_date``, ...); each channel maps them to its inputs."""

    def __init__(self, fields: dict[str, Problem]):
        super().__init__(", ".join(fields))
        self.fields = fields

    @classmethod
    def one(cls, name: str, key: str, /, **params: Any) -> "Problems":
        return cls({name: Problem(key, params)})

    def texts(self, tr) -> dict[str, str]:
        """Field name -> the text in the translator's language."""
        return {name: tr(p.key, **p.params) for name, p in self.fields.items()}


class Refused(Exception):
    """The actor may not do this, or the record does not exist: a short answer to the
    actor alone; nothing changes and nobody else's message is touched."""

    def __init__(self, key: str, /, **params: Any):
        super().__init__(key)
        self.key = key
        self.params = params

    def text(self, tr) -> str:
        return tr(self.key, **self.params)
