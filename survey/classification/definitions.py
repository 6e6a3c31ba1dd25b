"""The definitions of ufrivillig deltid as data: profiles, heltid thresholds and who is counted.

Read from `questionnaires/classification/definitions.yaml`. Administrators edit that file, so
every problem in it is reported at once as FILE:LINE: ITEM: message, the same way as problems
in questionnaire files (survey.engine.loader).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey.engine.definition import LANGUAGES, Text
from survey.engine.expressions import NAME_PATTERN
from survey.engine.loader import DefinitionError, InvalidDefinition
from survey.engine.shipped import QUESTIONNAIRES_DIR
from survey.engine.yaml_source import YamlList, YamlMap, YamlProblem, read_yaml

# Not directly in questionnaires/: every *.yaml there is loaded as a questionnaire.
DEFAULT_DEFINITIONS_FILE = QUESTIONNAIRES_DIR / "classification" / "definitions.yaml"

# The ways of working more that Songdalen counted as flexibility (003:1265-1270).
FLEX_ITEMS = ("flere_helger", "langvakter", "kombijobbing", "ubundet_tid", "ledige_vakter")
# Surnadal: waiting for a barnehageplass does not count against starting in time (003:1989-1990).
EXCEPTIONS = ("venter_barnehageplass",)

_TOP_KEYS = ("active_profile", "heltid_threshold", "population", "profiles")
_THRESHOLD_KEYS = ("default", "choices")
_POPULATION_KEYS = ("exclusions",)
_EXCLUSION_KEYS = ("id", "names", "when", "excluded_by_default")
_WHEN_KEYS = ("field", "equals", "includes")
_PROFILE_KEYS = ("id", "names", "source", "parameters")
_THRESHOLD_TEXT = re.compile(r"\s*(>=|>)?\s*([0-9]+(?:[.,][0-9]+)?)\s*\Z")


@dataclass(frozen=True)
class HeltidThreshold:
    """The position size from which a person counts as working heltid."""

    operator: str  # ">=" or ">"
    value: float

    @classmethod
    def parse(cls, spec: HeltidThreshold | str | int | float) -> HeltidThreshold:
        """A threshold from `100` or `"100"` (meaning ">= 100"), `">= 80"` or `"> 90"`.

        Raises ValueError for anything else."""
        if isinstance(spec, HeltidThreshold):
            return spec
        if isinstance(spec, int | float) and not isinstance(spec, bool):
            operator, value = ">=", float(spec)
        elif isinstance(spec, str) and (match := _THRESHOLD_TEXT.match(spec)):
            operator, value = match[1] or ">=", float(match[2].replace(",", "."))
        else:
            raise ValueError(f"'{spec}' is not a heltid threshold: write 100, '>= 80' or '> 90'")
        if not math.isfinite(value) or not 0 < value <= 100:
            raise ValueError(f"'{spec}' is not a heltid threshold: the percentage must be 1-100")
        return cls(operator, value)

    def is_heltid(self, stillingsprosent: float) -> bool:
        if self.operator == ">":
            return stillingsprosent > self.value
        return stillingsprosent >= self.value

    def __str__(self) -> str:
        return f"{self.operator} {self.value:g}"


@dataclass(frozen=True)
class Parameters:
    """What a profile asks of a part-timer before they count as involuntary."""

    requires_permanent: bool
    requires_part_time: bool
    requires_wants_larger: bool
    requires_wants_larger_permanent: bool
    requires_wish_in_writing: bool
    start_within_weeks: float | None
    requires_other_workplace_or_arrangement: bool
    requires_across_units: bool
    requires_qualified: bool
    requires_tried_more_hours: bool
    minimum_flex_count: int
    flex_items: tuple[str, ...]
    position_threshold: float | None  # counts only positions under this percentage
    exceptions: tuple[str, ...]


PARAMETER_NAMES = tuple(field.name for field in dataclasses.fields(Parameters))
_FLAGS = tuple(name for name in PARAMETER_NAMES if name.startswith("requires_"))


@dataclass(frozen=True)
class Profile:
    id: str
    names: Text
    source: str
    parameters: Parameters

    def with_parameters(self, **changes: Any) -> Profile:
        """The same profile with some parameters changed, e.g. position_threshold=75."""
        return dataclasses.replace(self, parameters=dataclasses.replace(self.parameters, **changes))


@dataclass(frozen=True)
class ExclusionGroup:
    """People often left out of the count, such as students (003:826-828)."""

    id: str
    names: Text
    field: str
    operator: str  # "equals" or "includes"
    value: str
    excluded_by_default: bool

    def matches(self, record: Mapping[str, Any]) -> bool:
        answer = record.get(self.field)
        if self.operator == "includes":
            return (
                isinstance(answer, Collection)
                and not isinstance(answer, str)
                and (self.value in answer)
            )
        if isinstance(answer, bool):  # yes_no answers may come as booleans from the roster
            answer = "yes" if answer else "no"
        return answer == self.value


@dataclass(frozen=True)
class Population:
    """Who is counted: the one rule `survey classify`, the definitions page and the reports
    apply (`excluded_by_default` in definitions.yaml). Everyone in scope is counted except the
    people whose living document puts them in a left-out group; the other groups are counted,
    and said to be, because they are often left out elsewhere (003:826-828, 850-851, 856-858).
    People on the roster without a living document cannot be placed in a group: counted."""

    left_out: tuple[ExclusionGroup, ...]
    counted: tuple[ExclusionGroup, ...]

    def left_out_groups(self, record: Mapping[str, Any]) -> tuple[ExclusionGroup, ...]:
        """The left-out groups `record` is in (empty: the record is counted)."""
        return tuple(group for group in self.left_out if group.matches(record))

    def group_counts(self, records: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        """The people in each group, left out or counted (one person may be in several)."""
        return {
            group.id: sum(1 for record in records if group.matches(record))
            for group in (*self.left_out, *self.counted)
        }


@dataclass(frozen=True)
class Definitions:
    filename: str
    heltid_thresholds: tuple[HeltidThreshold, ...]
    default_heltid_threshold: HeltidThreshold
    exclusions: tuple[ExclusionGroup, ...]
    profiles: tuple[Profile, ...]
    # The profile the municipality has chosen; reports lead with it and show the others beside.
    active_profile_id: str

    @property
    def active_profile(self) -> Profile:
        return self.profile(self.active_profile_id)

    def profile(self, profile_id: str) -> Profile:
        for profile in self.profiles:
            if profile.id == profile_id:
                return profile
        raise KeyError(profile_id)

    def exclusion(self, group_id: str) -> ExclusionGroup:
        for group in self.exclusions:
            if group.id == group_id:
                return group
        raise KeyError(group_id)

    @property
    def default_exclusions(self) -> tuple[ExclusionGroup, ...]:
        return tuple(group for group in self.exclusions if group.excluded_by_default)

    @property
    def population(self) -> Population:
        return Population(
            left_out=self.default_exclusions,
            counted=tuple(group for group in self.exclusions if not group.excluded_by_default),
        )


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _suggestion(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Reader:
    def __init__(self, source: str, filename: str) -> None:
        self.source = source
        self.filename = filename
        self.problems: list[tuple[int, str, str]] = []

    def error(self, line: int, item: str, message: str) -> None:
        self.problems.append((line, item, message))

    def mapping(self, value: Any, line: int, item: str) -> YamlMap | None:
        if isinstance(value, YamlMap):
            return value
        self.error(line, item, "must be a mapping of keys to values")
        return None

    def sequence(self, value: Any, line: int, item: str) -> YamlList | None:
        if isinstance(value, YamlList):
            return value
        self.error(line, item, "must be a list")
        return None

    def check_keys(self, data: YamlMap, allowed: Sequence[str], prefix: str, what: str) -> None:
        for key in data:
            if key not in allowed:
                message = f"unknown {what} '{key}'{_suggestion(key, allowed)}"
                self.error(data.key_lines[key], _join(prefix, key), message)

    def require(self, data: YamlMap, keys: Sequence[str], prefix: str, what: str) -> bool:
        present = True
        for key in keys:
            if key not in data:
                self.error(data.line, _join(prefix, key), f"missing {what} '{key}'")
                present = False
        return present

    def name(self, data: YamlMap, key: str, prefix: str) -> str | None:
        value = data.get(key)
        if not isinstance(value, str) or not NAME_PATTERN.match(value):
            shown = data.raw.get(key, "")
            self.error(
                data.key_lines[key],
                _join(prefix, key),
                f"'{shown}' is not a valid name: use letters, digits, '_' and '-', "
                "starting with a letter or '_'",
            )
            return None
        return value

    def names(self, data: YamlMap, prefix: str) -> Text | None:
        item = _join(prefix, "names")
        value = self.mapping(data["names"], data.key_lines["names"], item)
        if value is None:
            return None
        self.check_keys(value, LANGUAGES, item, "language")
        if not self.require(value, LANGUAGES, item, "language"):
            return None
        texts = {}
        for language in LANGUAGES:
            if not isinstance(value[language], str) or not value[language].strip():
                self.error(value.key_lines[language], f"{item}.{language}", "must be text")
                return None
            texts[language] = value[language].strip()
        return Text(texts)

    def flag(self, data: YamlMap, key: str, prefix: str) -> bool | None:
        value = data[key]
        if not isinstance(value, bool):
            self.error(data.key_lines[key], _join(prefix, key), "must be true or false")
            return None
        return value

    def ids(self, data: YamlMap, key: str, prefix: str, known: Sequence[str]) -> tuple | None:
        item = _join(prefix, key)
        values = self.sequence(data[key], data.key_lines[key], item)
        if values is None:
            return None
        result = []
        for index, (value, line) in enumerate(zip(values, values.item_lines, strict=True)):
            if not isinstance(value, str) or value not in known:
                message = f"unknown value '{value}'; use one of {', '.join(known)}"
                self.error(line, f"{item}[{index}]", message)
            elif value in result:
                self.error(line, f"{item}[{index}]", f"'{value}' is listed twice")
            else:
                result.append(value)
        return tuple(result) if len(result) == len(values) else None

    # --- the file ---------------------------------------------------------------------------

    def read(self) -> Definitions | None:
        try:
            data, duplicates = read_yaml(self.source)
        except YamlProblem as problem:
            self.error(problem.line, problem.item, problem.message)
            return None
        for problem in duplicates:
            self.error(problem.line, problem.item, problem.message)
        data = self.mapping(data, getattr(data, "line", 1), "file")
        if data is None:
            return None
        self.check_keys(data, _TOP_KEYS, "", "key")
        if not self.require(data, _TOP_KEYS, "", "key"):
            return None
        thresholds = self.thresholds(data)
        exclusions = self.population(data)
        profiles = self.profiles(data)
        if self.problems or thresholds is None or exclusions is None or profiles is None:
            return None
        choices, default = thresholds
        active = data["active_profile"]
        known = [profile.id for profile in profiles]
        if active not in known:
            self.error(
                data.key_lines["active_profile"],
                "active_profile",
                f"'{active}' is not a profile{_suggestion(str(active), known)}",
            )
            return None
        return Definitions(self.filename, choices, default, exclusions, profiles, active)

    def thresholds(self, data: YamlMap) -> tuple[tuple[HeltidThreshold, ...], Any] | None:
        item = "heltid_threshold"
        section = self.mapping(data[item], data.key_lines[item], item)
        if section is None:
            return None
        self.check_keys(section, _THRESHOLD_KEYS, item, "key")
        if not self.require(section, _THRESHOLD_KEYS, item, "key"):
            return None
        choices = self.sequence(section["choices"], section.key_lines["choices"], f"{item}.choices")
        if choices is None:
            return None
        parsed: list[HeltidThreshold] = []
        for index, (value, line) in enumerate(zip(choices, choices.item_lines, strict=True)):
            try:
                threshold = HeltidThreshold.parse(value)
            except ValueError as exc:
                self.error(line, f"{item}.choices[{index}]", str(exc))
                continue
            if threshold in parsed:
                self.error(line, f"{item}.choices[{index}]", f"'{threshold}' is listed twice")
            parsed.append(threshold)
        if not choices:
            self.error(section.key_lines["choices"], f"{item}.choices", "list at least one")
        try:
            default = HeltidThreshold.parse(section["default"])
        except ValueError as exc:
            self.error(section.key_lines["default"], f"{item}.default", str(exc))
            return None
        if parsed and default not in parsed:
            self.error(section.key_lines["default"], f"{item}.default", "must be one of choices")
        return tuple(parsed), default

    def population(self, data: YamlMap) -> tuple[ExclusionGroup, ...] | None:
        section = self.mapping(data["population"], data.key_lines["population"], "population")
        if section is None:
            return None
        self.check_keys(section, _POPULATION_KEYS, "population", "key")
        if not self.require(section, _POPULATION_KEYS, "population", "key"):
            return None
        item = "population.exclusions"
        entries = self.sequence(section["exclusions"], section.key_lines["exclusions"], item)
        if entries is None:
            return None
        groups = []
        seen: dict[str, int] = {}
        for index, (entry, line) in enumerate(zip(entries, entries.item_lines, strict=True)):
            group = self.exclusion(entry, line, f"{item}[{index}]", seen)
            if group is not None:
                groups.append(group)
        return tuple(groups)

    def exclusion(
        self, entry: Any, line: int, prefix: str, seen: dict[str, int]
    ) -> ExclusionGroup | None:
        entry = self.mapping(entry, line, prefix)
        if entry is None:
            return None
        self.check_keys(entry, _EXCLUSION_KEYS, prefix, "key")
        if not self.require(entry, _EXCLUSION_KEYS, prefix, "key"):
            return None
        group_id = self.unique_id(entry, prefix, seen)
        prefix = f"population.{group_id}" if group_id else prefix
        names = self.names(entry, prefix)
        default = self.flag(entry, "excluded_by_default", prefix)
        when = self.mapping(entry["when"], entry.key_lines["when"], f"{prefix}.when")
        if when is None:
            return None
        self.check_keys(when, _WHEN_KEYS, f"{prefix}.when", "key")
        operators = [key for key in ("equals", "includes") if key in when]
        if "field" not in when or len(operators) != 1:
            self.error(when.line, f"{prefix}.when", "give a field and one of equals or includes")
            return None
        field = self.name(when, "field", f"{prefix}.when")
        operator = operators[0]
        if when[operator] is None or isinstance(when[operator], YamlMap | YamlList):
            self.error(when.key_lines[operator], f"{prefix}.when.{operator}", "must be a value")
            return None
        value = when.raw[operator]  # as written, so that `yes` stays 'yes'
        if group_id is None or names is None or default is None or field is None:
            return None
        return ExclusionGroup(group_id, names, field, operator, value, default)

    def unique_id(self, entry: YamlMap, prefix: str, seen: dict[str, int]) -> str | None:
        entry_id = self.name(entry, "id", prefix)
        if entry_id is None:
            return None
        if entry_id in seen:
            message = f"id '{entry_id}' is already used on line {seen[entry_id]}"
            self.error(entry.key_lines["id"], _join(prefix, "id"), message)
            return None
        seen[entry_id] = entry.key_lines["id"]
        return entry_id

    def profiles(self, data: YamlMap) -> tuple[Profile, ...] | None:
        entries = self.sequence(data["profiles"], data.key_lines["profiles"], "profiles")
        if entries is None:
            return None
        if not entries:
            self.error(data.key_lines["profiles"], "profiles", "list at least one profile")
        profiles = []
        seen: dict[str, int] = {}
        for index, (entry, line) in enumerate(zip(entries, entries.item_lines, strict=True)):
            profile = self.profile(entry, line, f"profiles[{index}]", seen)
            if profile is not None:
                profiles.append(profile)
        return tuple(profiles)

    def profile(self, entry: Any, line: int, prefix: str, seen: dict[str, int]) -> Profile | None:
        entry = self.mapping(entry, line, prefix)
        if entry is None:
            return None
        self.check_keys(entry, _PROFILE_KEYS, prefix, "key")
        if not self.require(entry, _PROFILE_KEYS, prefix, "key"):
            return None
        profile_id = self.unique_id(entry, prefix, seen)
        prefix = profile_id or prefix
        names = self.names(entry, prefix)
        source = entry["source"]
        if not isinstance(source, str) or not source.strip():
            self.error(entry.key_lines["source"], f"{prefix}.source", "must be text")
        parameters = self.parameters(entry, f"{prefix}.parameters")
        if profile_id is None or names is None or parameters is None:
            return None
        return Profile(profile_id, names, str(source).strip(), parameters)

    def parameters(self, entry: YamlMap, item: str) -> Parameters | None:
        data = self.mapping(entry["parameters"], entry.key_lines["parameters"], item)
        if data is None:
            return None
        self.check_keys(data, PARAMETER_NAMES, item, "parameter")
        if not self.require(data, PARAMETER_NAMES, item, "parameter"):
            return None
        before = len(self.problems)
        values: dict[str, Any] = {name: self.flag(data, name, item) for name in _FLAGS}
        values["start_within_weeks"] = self.optional_number(
            data, "start_within_weeks", item, 0, 52, "a number of weeks from 0 to 52"
        )
        values["position_threshold"] = self.optional_number(
            data, "position_threshold", item, 1, 100, "a percentage from 1 to 100"
        )
        values["flex_items"] = self.ids(data, "flex_items", item, FLEX_ITEMS)
        values["exceptions"] = self.ids(data, "exceptions", item, EXCEPTIONS)
        count = data["minimum_flex_count"]
        flex_items = values["flex_items"] or ()
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            self.error(
                data.key_lines["minimum_flex_count"],
                f"{item}.minimum_flex_count",
                "must be a whole number, 0 or more",
            )
        elif count > len(flex_items) and values["flex_items"] is not None:
            self.error(
                data.key_lines["minimum_flex_count"],
                f"{item}.minimum_flex_count",
                f"is more than the {len(flex_items)} flex_items listed",
            )
        values["minimum_flex_count"] = count
        exceptions = values["exceptions"] or ()
        if "venter_barnehageplass" in exceptions and data["start_within_weeks"] is None:
            self.error(
                data.key_lines["exceptions"],
                f"{item}.exceptions",
                "venter_barnehageplass is an exception to start_within_weeks, which is null",
            )
        if len(self.problems) > before:
            return None
        return Parameters(**values)

    def optional_number(
        self, data: YamlMap, key: str, item: str, low: float, high: float, what: str
    ) -> float | None:
        value = data[key]
        if value is None:
            return None
        if not _is_number(value) or not low <= value <= high:
            self.error(data.key_lines[key], _join(item, key), f"must be null or {what}")
            return None
        return value


def _problems_to_errors(reader: _Reader) -> list[DefinitionError]:
    problems = sorted(reader.problems, key=lambda problem: problem[0])
    return [
        DefinitionError(reader.filename, line, item, message) for line, item, message in problems
    ]


def _read_text(text: str, filename: str) -> tuple[Definitions | None, list[DefinitionError]]:
    reader = _Reader(text, filename)
    definitions = reader.read()
    errors = _problems_to_errors(reader)
    return (None if errors else definitions), errors


def _read_file(path: str | os.PathLike[str]) -> tuple[Definitions | None, list[DefinitionError]]:
    filename = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [DefinitionError(filename, 1, "file", f"is not UTF-8 text ({exc.reason})")]
    except OSError as exc:
        message = f"cannot be read: {exc.strerror or exc}"
        return None, [DefinitionError(filename, 1, "file", message)]
    return _read_text(text, filename)


def load_definitions_text(text: str, filename: str) -> Definitions:
    """The definitions in `text`; InvalidDefinition lists every problem found."""
    definitions, errors = _read_text(text, filename)
    if definitions is None:
        raise InvalidDefinition(errors)
    return definitions


_loaded: dict[str, tuple[tuple[int, int], Definitions]] = {}


def load_definitions(path: str | os.PathLike[str] = DEFAULT_DEFINITIONS_FILE) -> Definitions:
    """Load a definitions file; errors name the file as `path` was given. A file read before
    and unchanged since (same modification time and size) is not parsed again."""
    try:
        stat = os.stat(path)
        version: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        version = None  # _read_file reports it
    cached = _loaded.get(str(path))
    if version is not None and cached is not None and cached[0] == version:
        return cached[1]
    definitions, errors = _read_file(path)
    if definitions is None:
        raise InvalidDefinition(errors)
    if version is not None:
        _loaded[str(path)] = (version, definitions)
    return definitions


def check_definitions(
    path: str | os.PathLike[str] = DEFAULT_DEFINITIONS_FILE,
) -> list[DefinitionError]:
    """Every problem in a definitions file (empty when it is valid)."""
    return _read_file(path)[1]
