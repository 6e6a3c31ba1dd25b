"""Read YAML into plain dicts and lists that remember the line of every key and item.

Administrators fix definition files from error messages, so every message must point at the
line to edit; PyYAML's composed nodes know their lines, its constructed objects do not.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# An alias can repeat a large subtree many times ("billion laughs"); stop long before that hurts.
_MAX_ELEMENTS = 200_000


class YamlMap(dict):
    """A mapping whose keys are the key texts as written (so `yes:` stays 'yes')."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}
        self.raw: dict[str, str] = {}  # scalar values as written, e.g. '01' for 01


class YamlList(list):
    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


class YamlProblem(Exception):
    def __init__(self, line: int, item: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.item = item
        self.message = message


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _Builder:
    def __init__(self) -> None:
        self.constructor = yaml.constructor.SafeConstructor()
        self.elements = 0
        self.open: set[int] = set()
        self.duplicates: list[YamlProblem] = []

    def build(self, node: Node, path: str) -> Any:
        self.elements += 1
        if self.elements > _MAX_ELEMENTS:
            raise YamlProblem(_line(node), path or "file", "the file has too many elements")
        if isinstance(node, ScalarNode):
            return self.constructor.construct_object(node, deep=True)
        if id(node) in self.open:
            raise YamlProblem(_line(node), path or "file", "an alias refers to itself")
        self.open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self.mapping(node, path)
            if isinstance(node, SequenceNode):
                return self.sequence(node, path)
            raise YamlProblem(_line(node), path or "file", "unsupported YAML element")
        finally:
            self.open.discard(id(node))

    def mapping(self, node: MappingNode, path: str) -> YamlMap:
        self.constructor.flatten_mapping(node)  # resolves `<<:` merge keys
        result = YamlMap(_line(node))
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem(_line(key_node), path or "file", "a key must be a plain name")
            key = str(key_node.value)
            item = f"{path}.{key}" if path else key
            if key in result:
                first = result.key_lines[key]
                self.duplicates.append(
                    YamlProblem(_line(key_node), item, f"duplicate key (first on line {first})")
                )
                continue
            result.key_lines[key] = _line(key_node)
            if isinstance(value_node, ScalarNode):
                result.raw[key] = str(value_node.value)
            result[key] = self.build(value_node, item)
        return result

    def sequence(self, node: SequenceNode, path: str) -> YamlList:
        result = YamlList(_line(node))
        for index, item_node in enumerate(node.value):
            result.item_lines.append(_line(item_node))
            result.append(self.build(item_node, f"{path}[{index}]"))
        return result


# libyaml's parser (PyYAML's C extension) when it is there: the same nodes and marks, ten
# times faster on the interview guide, which every report and living-document page reads.
# Its error messages are terser, so a file it refuses is read again by the Python parser,
# whose messages the authors see.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)


def read_yaml(text: str) -> tuple[Any, list[YamlProblem]]:
    """The document as YamlMap/YamlList/scalars, and the duplicate keys found.

    Raises YamlProblem when the text is not readable YAML.
    """
    try:
        node = _compose(text)
        if node is None:
            return None, []
        builder = _Builder()
        return builder.build(node, ""), builder.duplicates
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        parts = [part for part in (exc.context, exc.problem) if part]
        raise YamlProblem(line, "yaml", ": ".join(parts) or "invalid YAML") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, "yaml", str(exc)) from None
    except RecursionError:
        raise YamlProblem(1, "yaml", "the file is nested too deeply") from None
