"""The paper version of a questionnaire: a PDF to print for those who cannot answer on a
screen, typed in later through the answering pages («Registrer et papirsvar»).

Built like every PDF here: plain data (`paper_document`, dicts and strings from an
engine.Questionnaire) -> reports/templates/paper.html -> WeasyPrint (reports.render).

Every question gets a number, 1..N across the pages (a Likert grid one number, its statements
lettered: 12a, 12b, …); notes and the «Annet» write-in are not numbered. Branching is written
out with those numbers:

- a page or question shown only on a condition says so, in words: «Svar bare hvis du svarte
  «Større stilling» på spørsmål 6. Hvis ikke: gå til spørsmål 20.» The jump goes past every
  following question that has the same condition (a later page's `a and b` has `a`);
- the question the condition is about tells where to go when the block right after it does not
  apply: «Hvis du svarte «Nei»: gå til spørsmål 12.»

The common shapes of expressions are put into words (`${q} = 'v'`, `!=`, `selected()`,
comparisons with numbers, answered or not, `and`, `or`, `not`); anything else reads «Svar bare
hvis det gjelder deg ut fra svaret ditt på spørsmål 3 og 6.», never the expression itself.
Piping (`${name}` in a text) reads «(svaret ditt på spørsmål 3)».

The texts are gettext messages of the app's catalogs, looked up in the paper's language
without Flask, so the command line and the tests use it as the web route does."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from survey import engine
from survey.engine.builtin import OTHER_VALUE
from survey.engine.definition import LANGUAGES, NUMBER_TYPES
from survey.engine.expressions import Binary, Call, Literal, Node, Ref, references
from survey.engine.piping import PIPE_PATTERN

PAPER_LANGUAGES = LANGUAGES
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache
def _catalog(lang: str):
    from babel.support import Translations

    from reports.catalogs import TRANSLATIONS_DIR

    return Translations.load(str(TRANSLATIONS_DIR), [lang], domain="messages")


class Words:
    """The paper's sentences in one language (gettext of the app's catalogs)."""

    def __init__(self, lang: str) -> None:
        if lang not in PAPER_LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; choose one of {PAPER_LANGUAGES}")
        self.lang = lang
        catalog = _catalog(lang)
        self._ = catalog.gettext
        self.ngettext = catalog.ngettext

    def quote(self, text: str) -> str:
        return self._("“%(text)s”") % {"text": text}

    def number(self, value: float | int) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value)
        return text.replace(".", ",") if self.lang in ("nb", "nn") else text

    def alternatives(self, items: Sequence[str]) -> str:
        """«A», «B» eller «C»."""
        if len(items) == 1:
            return items[0]
        return self._("%(items)s or %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}

    def numbers(self, items: Sequence[str]) -> str:
        """3, 6 og 8."""
        if len(items) == 1:
            return items[0]
        return self._("%(items)s and %(last)s") % {
            "items": ", ".join(items[:-1]),
            "last": items[-1],
        }


@dataclasses.dataclass
class _Entry:
    """A numbered question, in the order of the paper."""

    question: engine.Question
    number: str
    position: int
    atoms: frozenset[Node]  # the page's and the question's conditions, split at `and`
    own: frozenset[Node]  # the question's own condition, split at `and`


def _atoms(node: Node | None) -> frozenset[Node]:
    if node is None:
        return frozenset()
    if isinstance(node, Binary) and node.op == "and":
        return _atoms(node.left) | _atoms(node.right)
    return frozenset({node})


class _Paper:
    def __init__(self, definition: engine.Questionnaire, lang: str) -> None:
        self.definition = definition
        self.lang = lang
        self.words = Words(lang)
        self.entries: list[_Entry] = []
        self.by_name: dict[str, _Entry] = {}
        self.grid_numbers: dict[int, str] = {}  # id(grid) -> its number
        self.after: dict[str, list[str]] = {}  # question name -> go-to instructions
        self.companions: dict[str, str] = {}  # an «Annet» write-in -> its select question
        self._number()

    # --- numbering ---------------------------------------------------------------------------

    def _number(self) -> None:
        count = 0
        for page in self.definition.pages:
            page_atoms = _atoms(page.relevant)
            grid = None
            letter = 0
            for question in page.questions:
                if question.other_of is not None:
                    self.companions[question.name] = question.other_of
                if not question.has_value or question.other_of is not None:
                    grid = None
                    continue
                if question.grid is not None and question.grid is grid:
                    letter += 1
                    number = f"{count}{LETTERS[letter % len(LETTERS)]}"
                elif question.grid is not None:
                    count += 1
                    grid, letter = question.grid, 0
                    self.grid_numbers[id(grid)] = str(count)
                    number = f"{count}a"
                else:
                    count += 1
                    grid = None
                    number = str(count)
                own = _atoms(question.relevant)
                entry = _Entry(question, number, len(self.entries), page_atoms | own, own)
                self.entries.append(entry)
                self.by_name[question.name] = entry

    def shown_number(self, entry: _Entry) -> str:
        """How a go-to names a question: a grid by its number when it starts there."""
        grid = entry.question.grid
        if grid is not None and entry.number.endswith("a"):
            return self.grid_numbers[id(grid)]
        return entry.number

    def top_number(self, entry: _Entry) -> str:
        """A grid statement's grid number (the last question of a range)."""
        grid = entry.question.grid
        return self.grid_numbers[id(grid)] if grid is not None else entry.number

    # --- conditions in words -----------------------------------------------------------------

    def _choice_label(self, question: engine.Question, value: Any) -> str | None:
        choice = question.choice(str(value))
        if choice is None:
            return None
        return self.words.quote(choice.label.get(self.lang))

    def _ref_and_literal(self, node: Binary) -> tuple[_Entry, Any, str] | None:
        """(question, literal value, operator as if the question were on the left)."""
        flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
        left, right, op = node.left, node.right, node.op
        if isinstance(right, Ref) and isinstance(left, Literal):
            left, right, op = right, left, flipped[op]
        if not (isinstance(left, Ref) and isinstance(right, Literal)):
            return None
        entry = self.by_name.get(left.name)
        if entry is None:
            return None
        return entry, right.value, op

    def condition(self, node: Node) -> str | None:
        """The condition in words («du svarte «Ja» på spørsmål 3»), None when too complex."""
        _ = self.words._
        if isinstance(node, Binary) and node.op in ("and", "or"):
            merged = self._merged_alternatives(node) if node.op == "or" else None
            if merged is not None:
                return merged
            left, right = self.condition(node.left), self.condition(node.right)
            if left is None or right is None:
                return None
            parts = []
            for child, text in ((node.left, left), (node.right, right)):
                # An `or` inside an `and` (or the reverse) keeps its grouping.
                if isinstance(child, Binary) and child.op in ("and", "or") and child.op != node.op:
                    text = f"({text})"
                parts.append(text)
            template = (
                _("%(left)s and %(right)s") if node.op == "and" else _("%(left)s or %(right)s")
            )
            return template % {"left": parts[0], "right": parts[1]}
        if isinstance(node, Call) and node.name == "not" and len(node.args) == 1:
            return self._atom(node.args[0], negated=True)
        return self._atom(node, negated=False)

    def _merged_alternatives(self, node: Binary) -> str | None:
        """`${q} = 'a' or ${q} = 'b'` as «du svarte «A» eller «B» på spørsmål 6»."""
        values: list[Any] = []
        target: _Entry | None = None

        def collect(child: Node) -> bool:
            nonlocal target
            if isinstance(child, Binary) and child.op == "or":
                return collect(child.left) and collect(child.right)
            if not (isinstance(child, Binary) and child.op == "="):
                return False
            found = self._ref_and_literal(child)
            if found is None or not found[0].question.choices:
                return False
            if target is not None and found[0] is not target:
                return False
            target = found[0]
            values.append(found[1])
            return True

        if not collect(node) or target is None:
            return None
        labels = [self._choice_label(target.question, value) for value in values]
        if None in labels:
            return None
        return self.words._("you answered %(answer)s to question %(number)s") % {
            "answer": self.words.alternatives(labels),
            "number": target.number,
        }

    def _atom(self, node: Node, *, negated: bool) -> str | None:
        _ = self.words._
        if isinstance(node, Call) and node.name == "selected" and len(node.args) == 2:
            ref, value = node.args
            if not (isinstance(ref, Ref) and isinstance(value, Literal)):
                return None
            entry = self.by_name.get(ref.name)
            if entry is None:
                return None
            label = self._choice_label(entry.question, value.value)
            if label is None:
                return None
            if entry.question.type == "select_multiple":
                template = (
                    _("you did not tick %(answer)s in question %(number)s")
                    if negated
                    else _("you ticked %(answer)s in question %(number)s")
                )
            else:
                template = (
                    _("you did not answer %(answer)s to question %(number)s")
                    if negated
                    else _("you answered %(answer)s to question %(number)s")
                )
            return template % {"answer": label, "number": entry.number}
        if not isinstance(node, Binary):
            return None
        found = self._ref_and_literal(node)
        if found is None:
            return None
        entry, value, op = found
        if negated:
            op = {"=": "!=", "!=": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}.get(op, op)
        question = entry.question
        number = entry.number
        if value == "" and op in ("=", "!="):
            if op == "=":
                return _("you did not answer question %(number)s") % {"number": number}
            return _("you answered question %(number)s") % {"number": number}
        if question.choices and question.type != "select_multiple" and op in ("=", "!="):
            label = self._choice_label(question, value)
            if label is None:
                return None
            template = (
                _("you answered %(answer)s to question %(number)s")
                if op == "="
                else _("you did not answer %(answer)s to question %(number)s")
            )
            return template % {"answer": label, "number": number}
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if (question.type in NUMBER_TYPES or question.type == "likert") and is_number:
            templates = {
                "<": _("you answered less than %(value)s to question %(number)s"),
                "<=": _("you answered %(value)s or less to question %(number)s"),
                ">": _("you answered more than %(value)s to question %(number)s"),
                ">=": _("you answered %(value)s or more to question %(number)s"),
                "=": _("you answered %(value)s to question %(number)s"),
                "!=": _("you answered something other than %(value)s to question %(number)s"),
            }
            return templates[op] % {"value": self.words.number(value), "number": number}
        return None

    def _fallback(self, node: Node) -> str:
        found = (self.entry_of(name) for name in references(node))
        entries = {entry.position: entry for entry in found if entry is not None}
        numbers = [entries[position].number for position in sorted(entries)]
        if not numbers:
            return self.words._("Answer only if it applies to you.")
        return self.words.ngettext(
            "Answer only if it applies to you, given your answer to question %(numbers)s.",
            "Answer only if it applies to you, given your answers to questions %(numbers)s.",
            len(numbers),
        ) % {"numbers": self.words.numbers(numbers)}

    def entry_of(self, name: str) -> _Entry | None:
        """The numbered question `name` is, or whose «Annet» write-in it is."""
        entry = self.by_name.get(name)
        if entry is None and name in self.companions:
            entry = self.by_name.get(self.companions[name])
        return entry

    # --- jumps -------------------------------------------------------------------------------

    def _target(self, own: frozenset[Node], after: int) -> _Entry | None:
        """The first question from position `after` on that does not carry `own`: where to go
        when `own` does not hold (None: the end of the questionnaire)."""
        for entry in self.entries[after:]:
            if not own <= entry.atoms:
                return entry
        return None

    def _go_to(self, target: _Entry | None) -> str:
        if target is None:
            return self.words._("If not: you have finished, go to the end of the questionnaire.")
        return self.words._("If not: go to question %(number)s.") % {
            "number": self.shown_number(target)
        }

    def instruction(
        self, relevant: Node, first: _Entry, last: _Entry, *, page: bool
    ) -> tuple[str, str | None]:
        """The «Svar bare hvis …» sentence of a conditional page or question, and where to go
        if it does not hold (None when that is simply the next question)."""
        _ = self.words._
        words = self.condition(relevant)
        if words is None:
            sentence = self._fallback(relevant)
        elif page and self.shown_number(first) != self.top_number(last):
            sentence = _("Answer questions %(first)s–%(last)s only if %(condition)s.") % {
                "first": self.shown_number(first),
                "last": self.top_number(last),
                "condition": words,
            }
        elif page:
            sentence = _("Answer question %(number)s only if %(condition)s.") % {
                "number": self.shown_number(first),
                "condition": words,
            }
        else:
            sentence = _("Answer only if %(condition)s.") % {"condition": words}
        own = _atoms(relevant)
        target = self._target(own, last.position + 1)
        self._jump_at_controller(relevant, first, target)
        if target is not None and target.position == last.position + 1 and not page:
            return sentence, None
        return sentence, self._go_to(target)

    def _jump_at_controller(self, relevant: Node, first: _Entry, target: _Entry | None) -> None:
        """At the question a block's condition is about, when the block comes right after it:
        «Hvis du svarte «Nei»: gå til spørsmål 12.»"""
        controller = self._controlling_choices(relevant)
        if controller is None:
            return
        entry, true_values = controller
        if entry.position + 1 != first.position:
            return
        question = entry.question
        others = [c for c in question.choices if c.value not in true_values]
        if not others or len(others) == len(question.choices):
            return
        _ = self.words._
        where = (
            _("go to the end of the questionnaire")
            if target is None
            else _("go to question %(number)s") % {"number": self.shown_number(target)}
        )
        quoted = [self.words.quote(c.label.get(self.lang)) for c in others]
        kept = [
            self.words.quote(c.label.get(self.lang)) for c in question.choices if c not in others
        ]
        if len(others) > 1 and len(kept) == 1:
            text = _("If you answered anything other than %(answer)s: %(where)s.") % {
                "answer": kept[0],
                "where": where,
            }
        else:
            text = _("If you answered %(answers)s: %(where)s.") % {
                "answers": self.words.alternatives(quoted),
                "where": where,
            }
        self.after.setdefault(question.name, []).append(text)

    def _controlling_choices(self, node: Node) -> tuple[_Entry, set[str]] | None:
        """(question, the values that make `node` true) for a condition on one single-choice
        question: `=`, `!=`, `selected()`, `or` and `not` of those."""
        if isinstance(node, Binary) and node.op == "or":
            left, right = (
                self._controlling_choices(node.left),
                self._controlling_choices(node.right),
            )
            if left is None or right is None or left[0] is not right[0]:
                return None
            return left[0], left[1] | right[1]
        if isinstance(node, Call) and node.name == "not" and len(node.args) == 1:
            inner = self._controlling_choices(node.args[0])
            if inner is None:
                return None
            return inner[0], set(inner[0].question.choice_values) - inner[1]
        if isinstance(node, Call) and node.name == "selected" and len(node.args) == 2:
            ref, value = node.args
            if isinstance(ref, Ref) and isinstance(value, Literal):
                entry = self.by_name.get(ref.name)
                if entry is not None and self._single_choice(entry):
                    return entry, {str(value.value)}
            return None
        if isinstance(node, Binary) and node.op in ("=", "!="):
            found = self._ref_and_literal(node)
            if found is None or not self._single_choice(found[0]) or found[1] == "":
                return None
            entry, value, op = found
            values = set(entry.question.choice_values)
            return entry, ({str(value)} if op == "=" else values - {str(value)})
        return None

    @staticmethod
    def _single_choice(entry: _Entry) -> bool:
        return bool(entry.question.choices) and entry.question.type != "select_multiple"

    # --- texts -------------------------------------------------------------------------------

    def piped(self, text: str) -> str:
        def replace(match) -> str:
            entry = self.entry_of(match.group(1))
            if entry is None:
                return self.words._("(your answer)")
            return self.words._("(your answer to question %(number)s)") % {"number": entry.number}

        return PIPE_PATTERN.sub(replace, text or "")

    def text(self, value: engine.Text | None) -> str:
        return self.piped(value.get(self.lang)) if value is not None else ""


def _question_item(paper: _Paper, entry: _Entry) -> dict[str, Any]:
    question = entry.question
    words = paper.words
    lang = paper.lang
    item: dict[str, Any] = {
        "kind": "question",
        "number": entry.number,
        "name": question.name,
        "label": paper.text(question.label),
        "hint": paper.text(question.hint),
        "type": question.type,
        "unit": "",
        "range": "",
        "choices": [],
        "instruction": "",
        "go_to": "",
        "after": [],
    }
    if question.type in engine.definition.SELECT_TYPES or question.type in ("yes_no", "likert"):
        item["choices"] = [
            {
                "label": choice.label.get(lang),
                "other": question.other and choice.value == OTHER_VALUE,
            }
            for choice in question.choices
        ]
        if question.type == "select_multiple":
            item["layout"] = "multiple"
        elif question.type in ("yes_no", "likert"):
            item["layout"] = "row"
        else:
            item["layout"] = "single"
    elif question.type in NUMBER_TYPES:
        item["layout"] = "number"
        item["unit"] = "%" if question.type == "percent" else ""
        if question.min is not None and question.max is not None and question.type != "percent":
            item["range"] = words._("From %(min)s to %(max)s") % {
                "min": words.number(question.min),
                "max": words.number(question.max),
            }
    elif question.type == "date":
        item["layout"] = "date"
    else:
        item["layout"] = "long_text" if question.long else "text"
    return item


def paper_document(definition: engine.Questionnaire, lang: str) -> dict[str, Any]:
    """The paper version as plain data for reports/templates/paper.html."""
    paper = _Paper(definition, lang)
    words = paper.words
    sections = []
    for page in definition.pages:
        page_entries = [e for e in paper.entries if e.question.page == page.name]
        section: dict[str, Any] = {
            "title": page.title.get(lang),
            "instruction": "",
            "go_to": "",
            "items": [],
        }
        if page.relevant is not None and page_entries:
            section["instruction"], go_to = paper.instruction(
                page.relevant, page_entries[0], page_entries[-1], page=True
            )
            section["go_to"] = go_to or ""
        grid_item: dict[str, Any] | None = None
        for question in page.questions:
            if question.type == "note":
                section["items"].append({"kind": "note", "text": paper.text(question.label)})
                grid_item = None
                continue
            entry = paper.by_name.get(question.name)
            if entry is None:  # the «Annet» write-in: a line beside its choice
                continue
            if question.grid is not None:
                if grid_item is None or grid_item["grid"] is not question.grid:
                    grid_item = {
                        "kind": "grid",
                        "grid": question.grid,
                        "number": paper.grid_numbers[id(question.grid)],
                        "label": paper.text(question.grid.label),
                        "hint": paper.text(question.grid.hint),
                        "columns": [c.label.get(lang) for c in question.choices],
                        "rows": [],
                        "instruction": "",
                        "go_to": "",
                        "after": [],
                        "entry": entry,
                    }
                    section["items"].append(grid_item)
                grid_item["rows"].append(
                    {"number": entry.number, "label": paper.text(question.label)}
                )
                grid_item["last"] = entry
                continue
            grid_item = None
            section["items"].append({**_question_item(paper, entry), "entry": entry})
        sections.append(section)
    # Conditions of questions (a grid's once, for all its statements), then the jumps that
    # their blocks put on the questions they depend on.
    for section in sections:
        for item in section["items"]:
            if item["kind"] == "note":
                continue
            question = item["entry"].question
            if question.relevant is None:
                continue
            last = item.get("last", item["entry"])
            item["instruction"], go_to = paper.instruction(
                question.relevant, item["entry"], last, page=False
            )
            item["go_to"] = go_to or ""
    for section in sections:
        for item in section["items"]:
            if item["kind"] == "note":
                continue
            names = [item["entry"].question.name]
            if item["kind"] == "grid":
                names = [e.question.name for e in paper.entries if e.question.grid is item["grid"]]
            item["after"] = [text for name in names for text in paper.after.get(name, [])]
            del item["entry"]
            item.pop("last", None)
            item.pop("grid", None)
    _ = words._
    return {
        "id": definition.id,
        "version": definition.version,
        "title": definition.title.get(lang),
        "description": paper.piped(definition.description.get(lang)),
        "questions": len({e.number.rstrip(LETTERS) for e in paper.entries}),
        "how": [
            _("Put a cross in the box beside the answer that fits you."),
            _("A round box: choose one answer. A square box: choose all that fit."),
            _("Write numbers and text on the lines or in the boxes, clearly."),
            _("Some questions are only for some: follow the instructions “Go to question …”."),
        ],
        "return": _(
            "Do not write your name on the form. When you have finished, return it in a closed "
            "envelope as you were told when you got it. Your answers are typed in as they are."
        ),
        "sections": sections,
    }


def stored_definition(
    questionnaire_id: str, version: int | None = None
) -> engine.Questionnaire | None:
    """A stored questionnaire's definition: the latest version, or `version`; None if there
    is none."""
    from survey.questionnaires.services import definition_of, latest_version, version_of

    row = (
        latest_version(questionnaire_id)
        if version is None
        else version_of(questionnaire_id, version)
    )
    return definition_of(row) if row is not None else None


def paper_pdf(definition: engine.Questionnaire, lang: str, author: str = "Heltid") -> bytes:
    """The paper version as a PDF in `lang` (nb, nn or en)."""
    from reports import PdfMetadata, html_to_pdf, render_html

    document = paper_document(definition, lang)
    words = Words(lang)
    metadata = PdfMetadata(
        title=words._("Paper version: %(title)s") % {"title": document["title"]},
        author=author,
        lang=lang,
        subject=f"{definition.id} v{definition.version}",
    )
    html = render_html("paper.html", {"paper": document}, lang, metadata)
    return html_to_pdf(html)
