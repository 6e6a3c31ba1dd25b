"""Load questionnaire definition files, reporting every problem as FILE:LINE: ITEM: message.

All problems in a file are collected before giving up, so an administrator can fix a file in one
round instead of one error per run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from survey.engine.definition import Questionnaire
from survey.engine.reader import DefinitionReader


@dataclass(frozen=True)
class DefinitionError:
    file: str
    line: int
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.item}: {self.message}"


class InvalidDefinition(Exception):
    def __init__(self, errors: Iterable[DefinitionError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass
class _FileResult:
    filename: str
    errors: list[DefinitionError]
    questionnaire: Questionnaire | None = None
    id: str | None = None
    id_line: int = 1


def _read_text(text: str, filename: str) -> _FileResult:
    reader = DefinitionReader(text, filename)
    questionnaire = reader.read()
    problems = sorted(reader.problems, key=lambda problem: problem[0])
    errors = [DefinitionError(filename, line, item, message) for line, item, message in problems]
    return _FileResult(filename, errors, questionnaire, reader.id, reader.id_line)


def _read_file(path: str | os.PathLike[str]) -> _FileResult:
    filename = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        message = f"is not UTF-8 text ({exc.reason})"
        return _FileResult(filename, [DefinitionError(filename, 1, "file", message)])
    except OSError as exc:
        message = f"cannot be read: {exc.strerror or exc}"
        return _FileResult(filename, [DefinitionError(filename, 1, "file", message)])
    return _read_text(text, filename)


def _duplicate_ids(results: Sequence[_FileResult]) -> list[DefinitionError]:
    errors = []
    first: dict[str, _FileResult] = {}
    for result in results:
        if result.id is None:
            continue
        if result.id in first:
            message = f"id '{result.id}' is also used by {first[result.id].filename}"
            errors.append(DefinitionError(result.filename, result.id_line, "id", message))
        else:
            first[result.id] = result
    return errors


def load_text(text: str, filename: str) -> Questionnaire:
    """The questionnaire in `text`; InvalidDefinition lists every problem found."""
    result = _read_text(text, filename)
    if result.errors:
        raise InvalidDefinition(result.errors)
    return result.questionnaire


def load(path: str | os.PathLike[str]) -> Questionnaire:
    """Load one file; errors name the file as `path` was given."""
    result = _read_file(path)
    if result.errors:
        raise InvalidDefinition(result.errors)
    return result.questionnaire


def check(paths: Iterable[str | os.PathLike[str]]) -> list[DefinitionError]:
    """Every problem in the given files, including ids used by more than one of them."""
    results = [_read_file(path) for path in paths]
    return [error for result in results for error in result.errors] + _duplicate_ids(results)


def definition_files(path: str | os.PathLike[str]) -> list[Path]:
    """The *.yaml and *.yml files in a directory, sorted by name."""
    directory = Path(path)
    return sorted(
        entry
        for entry in directory.iterdir()
        if entry.suffix in (".yaml", ".yml") and entry.is_file()
    )


def load_directory(path: str | os.PathLike[str]) -> list[Questionnaire]:
    """All questionnaires in a directory, sorted by file name; InvalidDefinition if any is bad."""
    errors = check(definition_files(path))
    if errors:
        raise InvalidDefinition(errors)
    return [load(file) for file in definition_files(path)]
