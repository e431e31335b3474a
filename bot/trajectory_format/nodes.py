"""A YAML node with the field path and line that errors about it report."""

from __future__ import annotations

from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.yaml_loader import construct_scalar

NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"
NOT_SCALAR = object()


def join(path: str, name: Any) -> str:
    return f"{path}.{name}" if path else str(name)


class PathNode:
    """A YAML node with the field path and line that errors about it report."""

    __slots__ = ("node", "path", "line", "_value")

    def __init__(self, node: Node, path: str, line: int | None = None):
        self.node = node
        self.path = path
        self.line = line if line is not None else node.start_mark.line + 1
        self._value: Any = NOT_SCALAR

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.node, MappingNode)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.node, SequenceNode)

    @property
    def is_null(self) -> bool:
        return isinstance(self.node, ScalarNode) and self.node.tag == NULL_TAG

    @property
    def value(self) -> Any:
        """The Python value of a scalar (str, int, bool, date, ...); ``NOT_SCALAR`` otherwise."""
        if self._value is NOT_SCALAR and isinstance(self.node, ScalarNode):
            self._value = construct_scalar(self.node)
        return self._value

    @property
    def source(self) -> str | None:
        """The scalar exactly as written (``9:00`` rather than the sexagesimal 540)."""
        return self.node.value if isinstance(self.node, ScalarNode) else None

    def child(self, name: Any) -> str:
        return join(self.path, name)


class TooLarge(Exception):
    pass
