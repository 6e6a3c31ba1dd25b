"""Writing the product's YAML line by line, remembering the sheet and row each line came from,
so that the engine's errors about a line can be reported at the XLSForm row."""

from __future__ import annotations

import bisect
import json
import re

from survey.engine.definition import LANGUAGES

Origin = tuple[str, int]


def quoted(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: escapes and all.
    return json.dumps(text, ensure_ascii=False)


# Plain words a YAML 1.1 reader would take for something other than text.
_SPECIAL = frozenset({"yes", "no", "y", "n", "true", "false", "on", "off", "null", "~"})


def word(text: str) -> str:
    """A name as a plain YAML word when that reads back as the same text, else quoted."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", text) and text.lower() not in _SPECIAL:
        return text
    return quoted(text)


def flow_text(values: dict[str, str]) -> str:
    parts = [
        f"{language}: {quoted(values[language])}" for language in LANGUAGES if language in values
    ]
    return "{" + ", ".join(parts) + "}"


class YamlWriter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origins: list[tuple[int, Origin]] = []  # (line number, origin), ascending

    def _add(self, text: str, origin: Origin | None) -> None:
        self.lines.append(text)
        if origin is not None:
            self.origins.append((len(self.lines), origin))

    def comment(self, text: str) -> None:
        self._add(f"# {text}", None)

    def blank(self) -> None:
        self._add("", None)

    def key(self, level: int, key: str, origin: Origin | None, quote: bool = False) -> None:
        self._add(f"{'  ' * level}{word(key) if quote else key}:", origin)

    def raw(self, level: int, key: str, text: str, origin: Origin | None) -> None:
        self._add(f"{'  ' * level}{key}: {text}", origin)

    def scalar(self, level: int, key: str, value: str, origin: Origin | None) -> None:
        self.raw(level, key, word(value), origin)

    def text(
        self,
        level: int,
        key: str,
        values: dict[str, str],
        origin: Origin | None,
        quote_key: bool = False,
    ) -> None:
        self._add(f"{'  ' * level}{word(key) if quote_key else key}: {flow_text(values)}", origin)

    def item(self, level: int, key: str, value: str, origin: Origin | None) -> None:
        self._add(f"{'  ' * (level - 1)}  - {key}: {word(value)}", origin)

    def flow_item(self, level: int, parts: list[tuple[str, object]], origin: Origin) -> None:
        shown = []
        for key, value in parts:
            shown.append(
                f"{key}: {flow_text(value) if isinstance(value, dict) else word(str(value))}"
            )
        self._add(f"{'  ' * (level - 1)}  - {{{', '.join(shown)}}}", origin)

    def document(self) -> str:
        return "\n".join(self.lines) + "\n"

    def origin(self, line: int) -> Origin | None:
        """The sheet and row of YAML line `line`: its own, or the nearest line above's."""
        index = bisect.bisect_right([number for number, _ in self.origins], line) - 1
        return self.origins[index][1] if index >= 0 else None
