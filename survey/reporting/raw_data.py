"""A campaign's raw data: one row per submitted response, one column per question, and the
codebook that says what every column and code means. The files are written by
`survey.reporting.raw_formats` (CSV, XLSX, SPSS `.sav`, Stata `.dta`).

What a row holds:
- `rad`: a row number 1, 2, 3 … given here, never the database's response id. Rows are in the
  order of the submission day, and within a day in the order of the random response ids, so
  the order says nothing about who answered first on a day.
- `versjon`: the questionnaire version the response was given under. The columns are the
  questions of the newest version answered, in its order, followed by questions that only
  older answered versions have (newest first); labels and choices come from the newest
  version that has the question, and an older version's extra choices are added after them.
- `innsendt`: the day of submission (responses store days, never times).
- `kanal`: web or paper (a paper form a project leader typed in).
- `ansattnummer` and `navn`: identified campaigns only. Confidential and anonymous exports hold
  no person identifier.

Codes: `select_one` the choice's number in the list (its value when every value is a whole
number), `likert` the scale point, `yes_no` 1 = yes and 0 = no, `select_multiple` one 0/1
column per choice named `<question>_<value>` (empty when the question was not answered).
Numbers stay numbers, dates are dates, texts (`<question>_annet` included) are text.

Variable names are safe for SPSS and Stata: lower-case ASCII letters, digits and `_`, starting
with a letter, at most 32 characters, no reserved word; the codebook gives the original name.

Privacy: a campaign that is not identified is exported only when it has at least K (the
config's SMALL_GROUP_MINIMUM) submitted responses, and the rows of every unit (the answer to
`enhet`) with fewer than K responses are left out; the codebook and the page say how many."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import force_locale, ngettext, pgettext
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from survey import engine
from survey.accounts.models import Person
from survey.answering.models import Answer, Response, Status
from survey.campaigns.models import Campaign, Invitation, Mode
from survey.extensions import db
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.services import definition_of, latest_version
from survey.reporting import jsonsql
from survey.reporting.campaign_report import UNIT_QUESTION

NO_UNIT = ""
MAX_NAME = 32  # Stata's limit; SPSS allows 64
NUMBER_TYPES = ("integer", "decimal", "percent")
CODED_TYPES = ("select_one", "likert", "yes_no")
# Words SPSS or Stata will not take as a variable name.
RESERVED = frozenset(
    {
        *("all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"),
        *("byte", "double", "float", "if", "in", "int", "long", "using", "strl"),
    }
)
_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "Æ": "AE", "Ø": "O", "Å": "AA"})
CHANNEL_CODES = {"web": 1, "paper": 2}

# What a variable holds: a coded answer (a number with value labels), a number, a date or text.
CODE, NUMBER, DATE, TEXT = "code", "number", "date", "text"


class RawDataRefused(Exception):
    """No export: `code` is `no_answers` or `too_few` (parameters in `params`)."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclasses.dataclass(frozen=True)
class Variable:
    name: str  # the safe name, a column
    source: str  # the question's name in the questionnaire (or the fixed column's)
    label: str
    type: str  # the question type, or `row`, `version`, `date`, `channel`, `person`
    kind: str  # CODE, NUMBER, DATE or TEXT
    # For CODE: (code, the value in the questionnaire, label), in code order.
    values: tuple[tuple[int, str, str], ...] = ()

    @property
    def value_labels(self) -> dict[int, str]:
        return {code: label for code, _value, label in self.values}


@dataclasses.dataclass(frozen=True)
class RawData:
    title: str
    mode: Mode
    lang: str
    minimum: int
    variables: tuple[Variable, ...]
    rows: list[tuple[Any, ...]]
    omitted: int  # responses left out: their unit had fewer than `minimum`
    notes: tuple[str, ...]  # sentences for the codebook, in `lang`

    @property
    def names(self) -> list[str]:
        return [variable.name for variable in self.variables]


@dataclasses.dataclass(frozen=True)
class Submitted:
    """One submitted response as read from the database."""

    sort_key: tuple[Any, ...]
    version_id: int
    submitted_on: dt.date | None
    channel: str
    answers: Mapping[str, Any]
    ansattnummer: str | None = None
    name: str | None = None


# --- safe variable names ---------------------------------------------------------------------


def safe_name(name: str, taken: set[str]) -> str:
    """A name SPSS and Stata accept, unique (case-insensitively) among `taken`, which it joins.
    The same names in the same order always give the same result."""
    text = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATE))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if not text or not text[0].isalpha():
        text = f"v_{text}".rstrip("_")
    text = text[:MAX_NAME].rstrip("_") or "v"
    if text in RESERVED or re.fullmatch(r"str\d+", text):
        text = f"{text}_"
    candidate, number = text, 1
    while candidate in taken:
        number += 1
        suffix = f"_{number}"
        candidate = f"{text[: MAX_NAME - len(suffix)].rstrip('_')}{suffix}"
    taken.add(candidate)
    return candidate


# --- columns from the definitions ------------------------------------------------------------


@dataclasses.dataclass
class _Column:
    """A question across the answered versions: the newest version's question, and every
    choice value any version offers (newest first)."""

    question: engine.Question
    choices: list[engine.Choice]


def _columns(definitions: Sequence[engine.Questionnaire]) -> list[_Column]:
    """The questions of the definitions (newest first), the newest version's order first."""
    columns: dict[str, _Column] = {}
    for definition in definitions:
        for question in definition.questions:
            if not question.has_value:
                continue
            column = columns.get(question.name)
            if column is None:
                columns[question.name] = _Column(question, list(question.choices))
                continue
            known = {choice.value for choice in column.choices}
            column.choices.extend(c for c in question.choices if c.value not in known)
    return list(columns.values())


def _values(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, bool):  # yes_no as stored by early versions
        return ["yes" if value else "no"]
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _choice_label(question: engine.Question, choice: engine.Choice, lang: str) -> str:
    if question.type == "yes_no":
        return _("Yes") if choice.value == "yes" else _("No")
    return choice.label.get(lang)


def _codes(column: _Column, seen: Counter, lang: str) -> tuple[tuple[int, str, str], ...]:
    """(code, value, label) for a coded question; values found in answers but in no version's
    choices get codes after the others, labelled with the value itself."""
    question = column.question
    choices = [(c.value, _choice_label(question, c, lang), c.score) for c in column.choices]
    known = {value for value, _label, _score in choices}
    choices.extend((value, value, None) for value in sorted(seen) if value not in known)
    if question.type == "yes_no":
        fixed = {"yes": 1, "no": 0}
        extra = iter(range(2, 2 + len(choices)))
        return tuple(
            (fixed.get(v) if v in fixed else next(extra), v, label) for v, label, _s in choices
        )
    if question.type == "likert" and all(score is not None for _v, _l, score in choices):
        return tuple((score, value, label) for value, label, score in choices)
    whole = [int(value) for value, _l, _s in choices if re.fullmatch(r"-?\d{1,9}", value)]
    if len(whole) == len(choices) == len(set(whole)):
        return tuple((int(value), value, label) for value, label, _s in choices)
    return tuple((number, value, label) for number, (value, label, _s) in enumerate(choices, 1))


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return None
    return int(number) if number.is_integer() and "." not in str(value) else number


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def build(
    *,
    title: str,
    mode: Mode,
    definitions: Mapping[int, engine.Questionnaire],
    responses: Sequence[Submitted],
    lang: str,
    minimum: int,
) -> RawData:
    """The raw data of `responses` (every submitted one), whose versions' definitions are in
    `definitions` by version id. Pure: no database. Raises RawDataRefused."""
    if not responses:
        raise RawDataRefused("no_answers")
    identified = mode is Mode.IDENTIFIED
    kept = list(responses)
    omitted = 0
    if not identified:
        if len(responses) < minimum:
            raise RawDataRefused("too_few", n=len(responses), minimum=minimum)
        per_unit = Counter(_unit_of(response) for response in responses)
        small = {unit for unit, count in per_unit.items() if count < minimum}
        kept = [response for response in responses if _unit_of(response) not in small]
        omitted = len(responses) - len(kept)
        if not kept:
            raise RawDataRefused("too_few", n=0, minimum=minimum)
    kept.sort(key=lambda response: response.sort_key)

    used = sorted({response.version_id for response in kept}, key=lambda v: -definitions[v].version)
    newest_first = [definitions[version_id] for version_id in used]
    columns = _columns(newest_first)

    taken: set[str] = set()
    variables: list[Variable] = []
    getters: list[Any] = []

    def add(variable: Variable, getter) -> None:
        variables.append(variable)
        getters.append(getter)

    add(
        Variable(safe_name("rad", taken), "rad", pgettext("raw data", "Row number"), "row", NUMBER),
        None,  # filled in below
    )
    add(
        Variable(
            safe_name("versjon", taken),
            "versjon",
            pgettext("raw data", "Questionnaire version"),
            "version",
            NUMBER,
        ),
        lambda r: definitions[r.version_id].version,
    )
    add(
        Variable(
            safe_name("innsendt", taken),
            "innsendt",
            pgettext("raw data", "Submitted (day)"),
            "date",
            DATE,
        ),
        lambda r: r.submitted_on,
    )
    channel_values = (
        (CHANNEL_CODES["web"], "web", pgettext("raw data", "Web")),
        (CHANNEL_CODES["paper"], "paper", pgettext("raw data", "Paper")),
    )
    add(
        Variable(safe_name("kanal", taken), "kanal", _("Channel"), "channel", CODE, channel_values),
        lambda r: CHANNEL_CODES.get(r.channel),
    )
    if identified:
        add(
            Variable(
                safe_name("ansattnummer", taken),
                "ansattnummer",
                _("Employee number"),
                "person",
                TEXT,
            ),
            lambda r: r.ansattnummer,
        )
        add(
            Variable(safe_name("navn", taken), "navn", _("Name"), "person", TEXT),
            lambda r: r.name,
        )

    for column in columns:
        question = column.question
        label = question.label.get(lang)
        name = question.name
        if question.type == "select_multiple":
            seen = Counter(v for r in kept for v in _values(r.answers.get(name)))
            known = {choice.value for choice in column.choices}
            options = [(c.value, c.label.get(lang)) for c in column.choices]
            options.extend((value, value) for value in sorted(seen) if value not in known)
            chosen_labels = (
                (0, "0", pgettext("raw data", "Not chosen")),
                (1, "1", pgettext("raw data", "Chosen")),
            )
            for value, choice_label in options:
                add(
                    Variable(
                        safe_name(f"{name}_{value}", taken),
                        name,
                        f"{label}: {choice_label}",
                        question.type,
                        CODE,
                        chosen_labels,
                    ),
                    _multiple_getter(name, value),
                )
        elif question.type in CODED_TYPES:
            seen = Counter(v for r in kept for v in _values(r.answers.get(name)))
            codes = _codes(column, seen, lang)
            add(
                Variable(safe_name(name, taken), name, label, question.type, CODE, codes),
                _coded_getter(name, {value: code for code, value, _label in codes}),
            )
        elif question.type in NUMBER_TYPES:
            add(
                Variable(safe_name(name, taken), name, label, question.type, NUMBER),
                lambda r, name=name: _number(r.answers.get(name)),
            )
        elif question.type == "date":
            add(
                Variable(safe_name(name, taken), name, label, question.type, DATE),
                lambda r, name=name: _date(r.answers.get(name)),
            )
        else:
            add(
                Variable(safe_name(name, taken), name, label, question.type, TEXT),
                lambda r, name=name: _text(r.answers.get(name)),
            )

    rows = [
        (number, *(getter(response) for getter in getters[1:]))
        for number, response in enumerate(kept, start=1)
    ]
    return RawData(
        title=title,
        mode=mode,
        lang=lang,
        minimum=minimum,
        variables=tuple(variables),
        rows=rows,
        omitted=omitted,
        notes=_notes(mode, len(kept), omitted, minimum, len(used) > 1),
    )


def _unit_of(response: Submitted) -> str:
    unit = response.answers.get(UNIT_QUESTION)
    return unit if isinstance(unit, str) else NO_UNIT


def _multiple_getter(name: str, value: str):
    def get(response: Submitted) -> int | None:
        answered = _values(response.answers.get(name))
        if not answered:
            return None
        return 1 if value in answered else 0

    return get


def _coded_getter(name: str, codes: Mapping[str, int]):
    def get(response: Submitted) -> int | None:
        answered = _values(response.answers.get(name))
        return codes.get(answered[0]) if answered else None

    return get


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def omitted_text(omitted: int, minimum: int) -> str:
    return ngettext(
        "%(num)s answer from a unit with fewer than %(minimum)s answers is left out.",
        "%(num)s answers from units with fewer than %(minimum)s answers are left out.",
        omitted,
        minimum=minimum,
    )


def _notes(
    mode: Mode, n: int, omitted: int, minimum: int, several_versions: bool
) -> tuple[str, ...]:
    notes = [_("%(n)s responses, one row each.", n=n)]
    if mode is Mode.IDENTIFIED:
        notes.append(_("Identified campaign: the rows give the employee number and name."))
    else:
        notes.append(
            _(
                "No person identifiers: «rad» is a row number made for this file, not an id "
                "of the response. Dates are days."
            )
        )
        if omitted:
            notes.append(omitted_text(omitted, minimum))
    if several_versions:
        notes.append(
            _(
                "Answers were given under several questionnaire versions («versjon»): the "
                "columns and labels are the newest version's, followed by questions only "
                "older versions had."
            )
        )
    notes.append(
        _(
            "Codes: yes_no 1 = yes, 0 = no; likert the scale point; select_multiple one "
            "column per choice, 1 = chosen, 0 = not chosen, empty = not answered."
        )
    )
    return tuple(notes)


# --- from the database -----------------------------------------------------------------------


def _submitted(campaign: Campaign) -> list[Submitted]:
    rows = db.session.execute(
        select(
            Response.id,
            Response.questionnaire_version_id,
            Response.submitted_on,
            Response.channel,
            Response.invitation_id,
        ).where(Response.campaign_id == campaign.id, Response.status == Status.SUBMITTED)
    ).all()
    answers: dict[str, dict[str, Any]] = {row.id: {} for row in rows}
    for response_id, question, value in db.session.execute(
        select(Answer.response_id, Answer.question, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.campaign_id == campaign.id, Response.status == Status.SUBMITTED)
    ):
        answers[response_id][question] = value
    people: dict[int, tuple[str | None, str | None]] = {}
    # Only an identified campaign's responses point to an invitation, and only then is it read.
    if campaign.mode is Mode.IDENTIFIED:
        people = {
            invitation_id: (number, name)
            for invitation_id, number, name in db.session.execute(
                select(Invitation.id, Person.ansattnummer, Person.name)
                .join(Person, Person.id == Invitation.person_id)
                .where(Invitation.campaign_id == campaign.id)
            )
        }
    result = []
    for row in rows:
        number, name = people.get(row.invitation_id, (None, None))
        result.append(
            Submitted(
                sort_key=(row.submitted_on or dt.date.min, row.id),
                version_id=row.questionnaire_version_id,
                submitted_on=row.submitted_on,
                channel=row.channel or "web",
                answers=answers[row.id],
                ansattnummer=number,
                name=name,
            )
        )
    return result


def campaign_title(campaign: Campaign, definition: engine.Questionnaire, lang: str) -> str:
    return campaign.title_in(lang) or definition.title.get(lang)


def raw_data(campaign: Campaign, *, lang: str, minimum: int) -> RawData:
    """The campaign's raw data in `lang`. Raises RawDataRefused."""
    responses = _submitted(campaign)
    version_ids = {response.version_id for response in responses}
    versions = db.session.scalars(
        select(QuestionnaireVersion).where(QuestionnaireVersion.id.in_(version_ids))
    ).all()
    definitions = {version.id: definition_of(version) for version in versions}
    with force_locale(lang):
        title = ""
        if definitions:
            newest = max(definitions.values(), key=lambda d: d.version)
            title = campaign_title(campaign, newest, lang)
        return build(
            title=title,
            mode=campaign.mode,
            definitions=definitions,
            responses=responses,
            lang=lang,
            minimum=minimum,
        )


def raw_data_summaries(minimum: int, lang: str) -> list[dict[str, Any]]:
    """Every campaign with submitted responses, newest first, as the reports page lists its
    raw data: id, title, mode, responses, how many would be left out, and whether it is
    refused (too few)."""
    unit = aliased(Answer)
    # Submitted responses per campaign and answer to `enhet` (NULL: not answered), counted by
    # the database rather than read row by row.
    counts = db.session.execute(
        select(Response.campaign_id, jsonsql.text(unit.value), func.count())
        .outerjoin(unit, and_(unit.response_id == Response.id, unit.question == UNIT_QUESTION))
        .where(Response.status == Status.SUBMITTED)
        .group_by(Response.campaign_id, jsonsql.text(unit.value))
    ).all()
    if not counts:
        return []
    by_campaign: dict[int, Counter] = {}
    for campaign_id, unit_value, count in counts:
        by_campaign.setdefault(campaign_id, Counter())[unit_value or NO_UNIT] += count
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.id.in_(by_campaign)).order_by(Campaign.id.desc())
    ).all()
    summaries = []
    for campaign in campaigns:
        per_unit = by_campaign[campaign.id]
        n = sum(per_unit.values())
        omitted = 0
        refused = False
        if campaign.mode is not Mode.IDENTIFIED:
            omitted = sum(count for count in per_unit.values() if count < minimum)
            refused = n < minimum or omitted == n
        summaries.append(
            {
                "id": campaign.id,
                "title": campaign.title_in(lang) or _questionnaire_title(campaign, lang),
                "mode": campaign.mode.value,
                "n": n,
                "omitted": omitted,
                "refused": refused,
            }
        )
    return summaries


def _questionnaire_title(campaign: Campaign, lang: str) -> str:
    version = latest_version(campaign.questionnaire_id)
    return campaign.questionnaire_id if version is None else definition_of(version).title.get(lang)
