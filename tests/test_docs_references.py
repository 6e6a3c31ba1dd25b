"""References to the documentation resolve (issue #11, item 7).

Code, questionnaires, tests and documents point at the notes in docs/ by path and heading:
a path under docs/, optionally followed by `§` and the heading, a sub-heading written after
its heading and ': ' (see the opening of docs/domain.md). Inside a file in docs/, a `§` and a
heading alone points into that file; `§` before a number is a section of an act.

A heading reference is the longest heading the rest of the line starts with, followed by
anything but a letter, a digit or a colon (a colon would continue it with a sub-heading), so
it must stay on one line. The domain notes used to live in a file outside the repository;
any reference to a notes file of that name outside docs/ fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml

from survey.accounts.models import Role

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("survey", "reports", "questionnaires", "tests", "scripts", "docs", "README.md")
SKIPPED_DIRECTORIES = {"__pycache__", "node_modules", "artifacts"}
DOCS = "docs"
# Spelt apart, so that the examples below are not references themselves.
DOMAIN_NOTES = "domain" + ".md"
S = "§"

DOCS_REFERENCE = re.compile(
    r"(?<![\w/.-])" + DOCS + r"/(?P<path>[\w./-]*\w)(?:[ \t]+§[ \t]+(?=(?P<anchor>[^\s\d§].*)))?"
)
# `§` followed by something other than a number: a heading, valid only inside docs/.
BARE_ANCHOR = re.compile(r"(?<![\w/.])§[ \t]+(?P<anchor>[^\s\d§].*)")
# Where a reference that does not resolve is cut for the message.
_ANCHOR_END = re.compile(r"""[ \t]*(?:[)\],;"'`*]|\.(?:\s|$)|$)""")
# A path in the repository a document in docs/ names, in backticks (`*` as in a glob).
CODE_PATH = re.compile(
    r"`(?P<path>(?:survey|reports|questionnaires|tests|scripts|benchmarks)/[^`\s]*)`"
)
STRAY_NOTES = re.compile(r"(?<!" + DOCS + r"/)\b" + re.escape(DOMAIN_NOTES))
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
FENCE = re.compile(r"^[ \t]*(```|~~~)")
# A citation of seed lines, `003:458-466`, also `003:826-828, 850-851` (see docs/domain.md § Sources).
CITATION = re.compile(r"\b(?P<seed>\d{3}):(?P<lines>\d+(?:-\d+)?(?:, \d+(?:-\d+)?)*)")


def sections(markdown: str) -> dict[str, str]:
    """Every section of a markdown file by its reference name ('Heading: Sub-heading'), with
    its text up to the next heading of the same or a higher level. The level-1 title is not a
    section."""
    found: dict[str, list[str]] = {}
    open_sections: list[tuple[int, str]] = []
    in_fence = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else HEADING.match(line)
        if heading:
            level = len(heading[1])
            open_sections = [(lvl, name) for lvl, name in open_sections if lvl < level]
            if level > 1:
                open_sections.append((level, heading[2]))
                found[": ".join(title for _, title in open_sections)] = []
            continue
        for index in range(len(open_sections)):
            found[": ".join(title for _, title in open_sections[: index + 1])].append(line)
    return {name: "\n".join(lines) for name, lines in found.items()}


def _scanned_files(root: Path):
    for entry in SCANNED:
        path = root / entry
        if path.is_file():
            yield path
        elif path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(root).parts
                if file.is_file() and not SKIPPED_DIRECTORIES.intersection(relative):
                    yield file


def _text(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\0" in text else text


def resolve(anchor: str, headings: Iterable[str]) -> str | None:
    """The heading `anchor` (the rest of a line after `§`) refers to, or None."""
    found = None
    for heading in headings:
        after = anchor[len(heading) : len(heading) + 1]
        if anchor.startswith(heading) and not (after.isalnum() or after == ":"):
            found = heading if found is None or len(heading) > len(found) else found
    return found


def problems(root: Path) -> list[str]:
    """Every reference under `root` that does not resolve, as FILE:LINE: message."""
    headings: dict[Path, set[str]] = {}

    def headings_of(path: Path) -> set[str]:
        if path.suffix != ".md":
            return set()
        if path not in headings:
            headings[path] = set(sections(path.read_text(encoding="utf-8")))
        return headings[path]

    found = []
    for file in _scanned_files(root):
        text = _text(file)
        if text is None:
            continue
        name = file.relative_to(root).as_posix()
        in_docs = file.relative_to(root).parts[0] == DOCS
        for number, line in enumerate(text.splitlines(), start=1):

            def report(message: str, name=name, number=number) -> None:
                found.append(f"{name}:{number}: {message}")

            def missing(anchor: str) -> str:
                return anchor[: _ANCHOR_END.search(anchor).start()]

            for _ in STRAY_NOTES.finditer(line):
                report(f"{DOMAIN_NOTES} outside {DOCS}/: point at {DOCS}/{DOMAIN_NOTES}")
            # The part of the line no reference to a file in docs/ has taken.
            rest = line
            for match in DOCS_REFERENCE.finditer(line):
                target = root / DOCS / match["path"]
                end = match.end()
                if not target.exists():
                    report(f"{DOCS}/{match['path']} does not exist")
                elif match["anchor"]:
                    heading = resolve(match["anchor"], headings_of(target))
                    if heading is None:
                        report(f"no section «{missing(match['anchor'])}» in {DOCS}/{match['path']}")
                    else:
                        end += len(heading)
                rest = rest[: match.start()] + " " * (end - match.start()) + rest[end:]
            for match in CODE_PATH.finditer(line) if in_docs else ():
                if not any(root.glob(match["path"].rstrip("/"))):
                    report(f"{match['path']} does not exist")
            for match in BARE_ANCHOR.finditer(rest):
                if not in_docs:
                    report(f"«{S} {missing(match['anchor'])}» without the {DOCS}/ file it is in")
                elif resolve(match["anchor"], headings_of(file)) is None:
                    report(f"no section «{missing(match['anchor'])}» in {name}")
    return found


def test_every_reference_resolves():
    assert problems(ROOT) == []


@pytest.fixture
def tree(tmp_path):
    """A small repository: a notes file in docs with two levels of headings."""
    (tmp_path / DOCS).mkdir()
    (tmp_path / DOCS / "notes.md").write_text(
        "# Notes\n\n## Definitions\n\n### Songdalen\n\nText.\n\n## Law\n\n"
        f"See {S} Definitions: Songdalen and aml. {S} 14-3.\n",
        encoding="utf-8",
    )
    (tmp_path / "survey").mkdir()
    return tmp_path


def _write(tree: Path, text: str) -> list[str]:
    (tree / "survey" / "module.py").write_text(text, encoding="utf-8")
    return problems(tree)


@pytest.mark.parametrize(
    "reference",
    [
        f"# Songdalen ({DOCS}/notes.md {S} Definitions: Songdalen).",
        f"# {DOCS}/notes.md {S} Definitions: Songdalen",
        f'"""The law ({DOCS}/notes.md {S} Law, {S} 14-3)."""',
        f"# the notes: {DOCS}/notes.md.",
        f"# aml. {S} 14-3 and {S}{S} 14-1 a",
    ],
)
def test_a_resolving_reference_passes(tree, reference):
    assert _write(tree, reference + "\n") == []


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (f"# see {DOCS}/nowhere.md {S} Law", f"1: {DOCS}/nowhere.md does not exist"),
        (
            f"x = 1\n# {DOCS}/notes.md {S} Definitions: Drammen.",
            f"2: no section «Definitions: Drammen» in {DOCS}/notes.md",
        ),
        (f"# {DOCS}/notes.md {S} Songdalen", f"1: no section «Songdalen» in {DOCS}/notes.md"),
        # A heading broken over two lines is not found.
        (
            f"# {DOCS}/notes.md {S} Definitions:\n# Songdalen",
            f"1: no section «Definitions:» in {DOCS}/notes.md",
        ),
        (
            f"# the Songdalen method ({DOMAIN_NOTES} {S}2)",
            f"1: {DOMAIN_NOTES} outside {DOCS}/: point at {DOCS}/{DOMAIN_NOTES}",
        ),
        (
            f"# /work/shared/{DOMAIN_NOTES}",
            f"1: {DOMAIN_NOTES} outside {DOCS}/: point at {DOCS}/{DOMAIN_NOTES}",
        ),
        (f"# see {S} Law", f"1: «{S} Law» without the {DOCS}/ file it is in"),
    ],
)
def test_a_broken_reference_is_reported(tree, reference, message):
    assert _write(tree, reference + "\n") == [f"survey/module.py:{message}"]


def test_a_bare_heading_inside_docs_must_exist(tree):
    (tree / DOCS / "more.md").write_text(f"# More\n\nAs in {S} Definitions.\n", "utf-8")
    assert problems(tree) == [f"{DOCS}/more.md:3: no section «Definitions» in {DOCS}/more.md"]


def test_a_path_a_document_names_must_exist(tree):
    (tree / "survey" / "views.py").write_text("", "utf-8")
    (tree / DOCS / "more.md").write_text(
        "# More\n\n`survey/views.py`, `survey/`, `survey/*.py` and `survey/gone.py`.\n", "utf-8"
    )
    assert problems(tree) == [f"{DOCS}/more.md:3: survey/gone.py does not exist"]


def test_sections_are_named_by_their_headings():
    markdown = "# Title\n\n## A\n\na\n\n### B\n\nb\n\n```\n## not a heading\n```\n\n## C\n"
    assert {name: text.split() for name, text in sections(markdown).items()} == {
        "A": ["a", "b", "```", "##", "not", "a", "heading", "```"],
        "A: B": ["b", "```", "##", "not", "a", "heading", "```"],
        "C": [],
    }


def _domain_section(name: str) -> str:
    return sections((ROOT / DOCS / DOMAIN_NOTES).read_text(encoding="utf-8"))[name]


def test_every_role_is_described():
    roles = _domain_section("Roles")
    assert [role.value for role in Role if f"`{role.value}`" not in roles] == []


def citations(text: str) -> set[tuple[str, int, int]]:
    """The seed lines `text` cites, as (seed, first line, last line)."""
    found = set()
    for match in CITATION.finditer(text):
        for lines in match["lines"].split(", "):
            first, _, last = lines.partition("-")
            found.add((match["seed"], int(first), int(last or first)))
    return found


def uncovered(cited: set[tuple[str, int, int]], given: set[tuple[str, int, int]]) -> list:
    """The citations in `cited` that no citation in `given` includes."""
    return sorted(
        (seed, first, last)
        for seed, first, last in cited
        if not any(s == seed and f <= first and last <= t for s, f, t in given)
    )


def test_citations_are_read_with_their_continuations():
    assert citations("(003:826-828, 850-851; 000:1161 and 003:273).") == {
        ("003", 826, 828),
        ("003", 850, 851),
        ("000", 1161, 1161),
        ("003", 273, 273),
    }
    assert uncovered({("003", 458, 463), ("003", 450, 460)}, {("003", 458, 466)}) == [
        ("003", 450, 460)
    ]


def test_every_seed_citation_in_the_code_is_in_the_notes():
    """A reader can check a seed line the code cites in the notes: docs/domain.md cites the
    same lines or a passage that includes them."""
    notes = citations((ROOT / DOCS / DOMAIN_NOTES).read_text("utf-8"))
    missing = []
    for file in _scanned_files(ROOT):
        text = _text(file)
        if text is not None and file.relative_to(ROOT).parts[0] != DOCS:
            missing += [
                (file.relative_to(ROOT).as_posix(), *c) for c in uncovered(citations(text), notes)
            ]
    assert missing == []


def test_every_definition_is_described_with_its_sources():
    """Each profile in definitions.yaml has a section under Definitions, named by its id,
    that gives the seed lines its `source` cites."""
    definitions = yaml.safe_load(
        (ROOT / "questionnaires" / "classification" / "definitions.yaml").read_text("utf-8")
    )
    described = {
        name.removeprefix("Definitions: ").lower(): text
        for name, text in sections((ROOT / DOCS / DOMAIN_NOTES).read_text("utf-8")).items()
        if name.startswith("Definitions: ")
    }
    assert [
        profile["id"] for profile in definitions["profiles"] if profile["id"] not in described
    ] == []
    missing = {
        profile["id"]: uncovered(citations(profile["source"]), citations(described[profile["id"]]))
        for profile in definitions["profiles"]
    }
    assert missing == {profile["id"]: [] for profile in definitions["profiles"]}
