"""Small-cell suppression for aggregate tables.

A cell that describes fewer than K people (but some) is hidden. So is any cell that could
be worked out from what is shown: every published equation (cells of a row adding up to its
total, a group and its complement adding up to the whole, a per-unit sum adding up to the
municipality's) is registered as a constraint, and while a constraint has exactly one hidden
cell, its smallest other non-zero cell is hidden too (secondary suppression). Cells that are
never printed (the «no» beside a «yes» and its N) take part as well: they can be derived.

The one implementation of the rule: every report, and the results page through the campaign
report, hides cells here. K is the config's SMALL_GROUP_MINIMUM, passed in as `minimum`."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field


@dataclass
class Suppressor:
    minimum: int
    values: dict[Hashable, float] = field(default_factory=dict)
    people: dict[Hashable, int] = field(default_factory=dict)
    constraints: list[tuple[Hashable, ...]] = field(default_factory=list)
    hidden: set[Hashable] = field(default_factory=set)
    _solved: bool = False

    def cell(self, key: Hashable, value: float, people: int | None = None) -> Hashable:
        """Register a cell; `people` is how many it describes (default: the value, a count)."""
        self.values[key] = value
        self.people[key] = int(value) if people is None else people
        self._solved = False
        return key

    def add_constraint(self, keys: Iterable[Hashable]) -> None:
        self.constraints.append(tuple(keys))
        self._solved = False

    def hide(self, key: Hashable) -> None:
        self.hidden.add(key)
        self._solved = False

    def solve(self) -> None:
        for key, people in self.people.items():
            if 0 < people < self.minimum:
                self.hidden.add(key)
        changed = True
        while changed:
            changed = False
            for keys in self.constraints:
                hidden = [key for key in keys if key in self.hidden]
                if len(hidden) != 1:
                    continue
                candidates = [k for k in keys if k not in self.hidden and self.people[k] > 0]
                if candidates:
                    self.hidden.add(min(candidates, key=lambda k: (self.people[k], str(k))))
                    changed = True
        self._solved = True

    def shown(self, key: Hashable):
        """The value, or None when it is suppressed."""
        if not self._solved:
            self.solve()
        return None if key in self.hidden else self.values[key]

    def is_hidden(self, key: Hashable) -> bool:
        return self.shown(key) is None


def percent(part: float | None, whole: float | None) -> float | None:
    """part as a percentage of whole; None when either is hidden or whole is 0."""
    if part is None or not whole:
        return None
    return 100 * part / whole
