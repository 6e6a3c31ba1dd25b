"""The results report of one campaign: response rate, every counted question with N, Likert
tables with counts, percent and mean, breakdowns by unit; small cells suppressed.

Only `Response` and `Answer` rows are read: never the invitation or participation tables
next to them, so nothing in the report can lead from an answer to a person, whatever the
campaign's mode. The unit of an answer is the respondent's own answer to the `enhet`
question. Free-text answers are left out unless the caller asks for them."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from reports import charts
from reports.formatting import count as fmt_count
from reports.formatting import date as fmt_date
from reports.formatting import percent as fmt_percent
from reports.model import (
    COUNT,
    DECIMAL,
    PERCENT,
    TEXT,
    Cell,
    Chart,
    Facts,
    Paragraph,
    Report,
    Row,
    Section,
    Table,
)
from survey import engine
from survey.answering.models import Answer, Response, Status
from survey.campaigns.models import Campaign, Invitation, Mode
from survey.extensions import db
from survey.questionnaires.models import QuestionnaireVersion
from survey.questionnaires.services import definition_of
from survey.reporting.scope import Scope
from survey.reporting.suppression import Suppressor, percent

UNIT_QUESTION = "enhet"
PARTITION_TYPES = ("select_one", "likert", "yes_no")
COUNTED_TYPES = (*PARTITION_TYPES, "select_multiple")
NUMBER_TYPES = ("integer", "decimal", "percent")
NO_UNIT = ""  # answers without an `enhet` answer are counted in a row of their own


@dataclass
class CampaignAnswers:
    """The submitted answers of a campaign (within a set of units), one dict per response."""

    campaign: Campaign
    definition: engine.Questionnaire
    responses: list[dict[str, Any]]
    invited: int
    unit_values: frozenset[str] | None = None
    by_unit: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.responses)


def campaign_answers(
    campaign: Campaign, unit_values: Collection[str] | None = None
) -> CampaignAnswers | None:
    """The answers, or None when the campaign has no submitted response. With `unit_values`,
    only responses whose `enhet` answer is one of them (a unit leader's units)."""
    versions = dict(
        db.session.execute(
            select(Response.id, Response.questionnaire_version_id).where(
                Response.campaign_id == campaign.id, Response.status == Status.SUBMITTED
            )
        ).all()
    )
    if not versions:
        return None
    answers: dict[str, dict[str, Any]] = {response_id: {} for response_id in versions}
    rows = db.session.execute(
        select(Answer.response_id, Answer.question, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.campaign_id == campaign.id, Response.status == Status.SUBMITTED)
    )
    for response_id, question, value in rows:
        answers[response_id][question] = value
    # Questions and labels from the newest version answered; older versions' answers to the
    # same names are counted under them.
    version = db.session.get(QuestionnaireVersion, max(versions.values()))
    wanted = None if unit_values is None else frozenset(unit_values)
    responses = [
        data for data in answers.values() if wanted is None or data.get(UNIT_QUESTION) in wanted
    ]
    invitations = select(func.count()).select_from(Invitation)
    invitations = invitations.where(Invitation.campaign_id == campaign.id)
    if wanted is None:
        invited = db.session.scalar(invitations) or 0
    else:
        # Which unit an invitation went to is only known from its prefill (set by whoever
        # sent it); the answers are never joined to it.
        prefills = db.session.scalars(
            select(Invitation.prefill).where(Invitation.campaign_id == campaign.id)
        )
        invited = sum(1 for prefill in prefills if (prefill or {}).get(UNIT_QUESTION) in wanted)
    result = CampaignAnswers(campaign, definition_of(version), responses, invited, wanted)
    for data in responses:
        unit = data.get(UNIT_QUESTION)
        result.by_unit.setdefault(unit if isinstance(unit, str) else NO_UNIT, []).append(data)
    return result


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _choices(question: engine.Question) -> tuple[engine.Choice, ...]:
    # The loader gives yes/no and likert questions their built-in choices.
    return question.choices


def _is_free_text(question: engine.Question) -> bool:
    return question.type == "text"


@dataclass
class _Question:
    """One counted question: its cells in one Suppressor, so the distribution table and the
    unit breakdown hide the same things."""

    question: engine.Question
    suppressor: Suppressor
    n: int
    counts: dict[str, int]
    unit_n: dict[str, int]
    unit_counts: dict[str, dict[str, int]]
    unit_scores: dict[str, list[int]]
    scores: list[int]


class _Builder:
    def __init__(
        self,
        data: CampaignAnswers,
        *,
        lang: str,
        minimum: int,
        include_free_text: bool,
        scope_label: str,
    ):
        self.data = data
        self.lang = lang
        self.minimum = minimum
        self.include_free_text = include_free_text
        self.scope_label = scope_label
        self.definition = data.definition
        unit_question = next(
            (q for q in self.definition.questions if q.name == UNIT_QUESTION), None
        )
        self.unit_labels: dict[str, str] = {}
        if unit_question is not None:
            self.unit_labels = {c.value: c.label.get(lang) for c in unit_question.choices}
        order = {value: index for index, value in enumerate(self.unit_labels)}
        self.units = sorted(
            data.by_unit, key=lambda unit: (unit == NO_UNIT, order.get(unit, len(order)), unit)
        )

    # --- helpers -------------------------------------------------------------------------

    def unit_label(self, unit: str) -> str:
        if unit == NO_UNIT:
            return _("Unit not given")
        return self.unit_labels.get(unit, unit)

    def label(self, question: engine.Question) -> str:
        return question.label.get(self.lang)

    def choice_label(self, question: engine.Question, choice: engine.Choice) -> str:
        if question.type == "yes_no":
            return _("Yes") if choice.value == "yes" else _("No")
        return choice.label.get(self.lang)

    def mean(self, values: list[float]) -> float | None:
        return round(statistics.fmean(values), 1) if values else None

    def count_question(self, question: engine.Question) -> _Question | None:
        choices = _choices(question)
        values = {choice.value for choice in choices}
        counts: Counter = Counter()
        unit_counts: dict[str, Counter] = defaultdict(Counter)
        unit_n: Counter = Counter()
        unit_scores: dict[str, list[int]] = defaultdict(list)
        scores: list[int] = []
        score_of = {choice.value: choice.score for choice in choices}
        n = 0
        for unit in self.units:
            for data in self.data.by_unit[unit]:
                answered = [v for v in _values(data.get(question.name)) if v in values]
                if not answered:
                    continue
                n += 1
                unit_n[unit] += 1
                for value in answered:
                    counts[value] += 1
                    unit_counts[unit][value] += 1
                    if question.type == "likert" and score_of.get(value) is not None:
                        scores.append(score_of[value])
                        unit_scores[unit].append(score_of[value])
        if n == 0:
            return None
        suppressor = Suppressor(self.minimum)
        total_key = suppressor.cell(("n",), n)
        choice_keys = [suppressor.cell(("c", c.value), counts[c.value]) for c in choices]
        partition = question.type in PARTITION_TYPES
        if partition:
            suppressor.add_constraint([*choice_keys, total_key])
        unit_keys = [suppressor.cell(("un", unit), unit_n[unit]) for unit in self.units]
        suppressor.add_constraint([*unit_keys, total_key])
        if question.type == "yes_no":
            for choice in choices:
                keys = [
                    suppressor.cell(("uc", unit, choice.value), unit_counts[unit][choice.value])
                    for unit in self.units
                ]
                suppressor.add_constraint([*keys, ("c", choice.value)])
            for unit in self.units:
                suppressor.add_constraint([*(("uc", unit, c.value) for c in choices), ("un", unit)])
        return _Question(
            question,
            suppressor,
            n,
            dict(counts),
            dict(unit_n),
            {unit: dict(c) for unit, c in unit_counts.items()},
            dict(unit_scores),
            scores,
        )

    # --- sections ------------------------------------------------------------------------

    def about(self) -> Section:
        campaign, data, lang = self.data.campaign, self.data, self.lang
        modes = {
            Mode.ANONYMOUS: _("Anonymous: answers are not linked to anybody"),
            Mode.CONFIDENTIAL: _("Confidential: who answered is kept apart from the answers"),
            Mode.IDENTIFIED: _("Identified"),
        }
        if data.invited and data.n <= data.invited:
            rate = _(
                "%(percent)s (%(answers)s of %(invited)s invited)",
                percent=fmt_percent(100 * data.n / data.invited, lang),
                answers=fmt_count(data.n, lang),
                invited=fmt_count(data.invited, lang),
            )
        else:
            rate = _("Not known: answers came through the open link")
        items = [
            (_("Questionnaire"), self.definition.title.get(lang)),
            (_("Mode"), modes[campaign.mode]),
            (_("Scope"), self.scope_label),
            (_("Answers"), fmt_count(data.n, lang)),
            (_("Response rate"), rate),
            (
                _("Small groups"),
                _(
                    "Cells describing fewer than %(minimum)s people, and cells that could be "
                    "worked out from them, are shown as «–».",
                    minimum=self.minimum,
                ),
            ),
            (
                _("Free-text answers"),
                _("Included") if self.include_free_text else _("Not included"),
            ),
        ]
        return Section(_("About the survey"), (Facts(tuple(items)),))

    def distribution(self, counted: _Question) -> Table:
        question, shown = counted.question, counted.suppressor.shown
        n = shown(("n",))
        rows = []
        for choice in _choices(question):
            count = shown(("c", choice.value))
            rows.append(
                Row(
                    (
                        Cell(self.choice_label(question, choice), TEXT),
                        Cell(count, COUNT),
                        Cell(percent(count, n), PERCENT),
                    )
                )
            )
        columns = (_("Answer"), _("Number"), "%")
        note = ""
        if question.type == "select_multiple":
            note = _("Several answers could be chosen, so the percentages add up to more than 100.")
        if question.type == "likert":
            hidden = n is None or any(
                shown(("c", choice.value)) is None for choice in _choices(question)
            )
            mean = None if hidden else self.mean(counted.scores)
            rows.append(
                Row((Cell(_("Mean"), TEXT), Cell(mean, DECIMAL), Cell("", TEXT)), total=True)
            )
            scale = [c.score for c in _choices(question) if c.score is not None]
            if scale:
                note = _(
                    "Mean on the scale from %(low)s to %(high)s.", low=min(scale), high=max(scale)
                )
                if hidden and n is not None:
                    note += " " + _("The mean is hidden because it would reveal hidden cells.")
        return Table(
            id=f"q-{question.name}",
            title=self.label(question),
            columns=columns,
            rows=tuple(rows),
            n=n,
            note=note,
        )

    def number_table(self, question: engine.Question) -> Table | None:
        values = []
        for data in self.data.responses:
            value = data.get(question.name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                values.append(float(value))
        if not values:
            return None
        shown = len(values) >= self.minimum
        row = Row(
            (
                Cell(self.label(question), TEXT),
                Cell(self.mean(values) if shown else None, DECIMAL),
                Cell(round(statistics.median(values), 1) if shown else None, DECIMAL),
            )
        )
        return Table(
            id=f"q-{question.name}",
            title=self.label(question),
            columns=(_("Question"), _("Mean"), _("Median")),
            rows=(row,),
            n=len(values) if shown else None,
        )

    def questions(self, counted: dict[str, _Question]) -> list[Section]:
        sections = []
        for page in self.definition.pages:
            blocks: list[Table | Chart] = []
            for question in page.questions:
                if question.grid is not None:
                    statements = _grid_statements(page.questions, question)
                    if statements and statements[0] is question:
                        blocks.extend(self.grid_blocks(question.grid, statements, counted))
                    continue
                if question.name == UNIT_QUESTION and self.unit_labels:
                    continue  # «Answers by unit» shows it
                if question.name in counted:
                    blocks.append(self.distribution(counted[question.name]))
                elif question.type in NUMBER_TYPES:
                    table = self.number_table(question)
                    if table is not None:
                        blocks.append(table)
            if blocks:
                sections.append(Section(page.title.get(self.lang), tuple(blocks)))
        return sections

    def grid_blocks(
        self,
        grid: engine.Grid,
        statements: tuple[engine.Question, ...],
        counted: dict[str, _Question],
    ) -> tuple[Chart, Table]:
        """A Likert grid as one table (a row per statement: N, the percentage of every scale
        point, the mean) and a diverging bar chart of the same shares. The cells are those of
        each statement's own Suppressor, so the summary and the unit breakdown hide the same;
        a row with a hidden cell draws no bar."""
        scale = sorted(
            (c for c in _choices(statements[0]) if c.score is not None), key=lambda c: c.score
        )
        rows: list[Row] = []
        bars: list[charts.DivergingRow] = []
        for question in statements:
            label = self.label(question)
            item = counted.get(question.name)
            if item is None:  # nobody answered it: nothing to divide by
                empty = Cell(None, PERCENT, no_base=True)
                rows.append(
                    Row(
                        (
                            Cell(label, TEXT),
                            Cell(0, COUNT),
                            *(empty for _choice in scale),
                            Cell(None, DECIMAL, no_base=True),
                        )
                    )
                )
                bars.append(charts.DivergingRow(label, None, (), "N = 0"))
                continue
            shown = item.suppressor.shown
            n = shown(("n",))
            counts = [shown(("c", choice.value)) for choice in scale]
            shares = [percent(count, n) for count in counts]
            hidden = n is None or any(count is None for count in counts)
            mean = None if hidden else self.mean(item.scores)
            rows.append(
                Row(
                    (
                        Cell(label, TEXT),
                        Cell(n, COUNT),
                        *(Cell(share, PERCENT) for share in shares),
                        Cell(mean, DECIMAL),
                    )
                )
            )
            bars.append(
                charts.DivergingRow(
                    label,
                    None if hidden else tuple(share or 0.0 for share in shares),
                    tuple(
                        "" if share is None else fmt_count(round(share), self.lang)
                        for share in shares
                    ),
                    f"N = {fmt_count(n, self.lang)}",
                    hidden_text=_("hidden (small group)"),
                )
            )
        answered = sum(
            1
            for data in self.data.responses
            if any(_values(data.get(question.name)) for question in statements)
        )
        suppressor = Suppressor(self.minimum)
        suppressor.cell("n", answered)
        title = self.label_text(grid.label)
        low, high = scale[0].score, scale[-1].score
        note = _(
            "Percent of the people who answered each statement; N on each row. Mean on the "
            "scale from %(low)s to %(high)s.",
            low=low,
            high=high,
        )
        table = Table(
            id=f"g-{grid.name}",
            title=title,
            columns=(
                _("Statement"),
                "N",
                *(self.choice_label(statements[0], choice) for choice in scale),
                _("Mean"),
            ),
            rows=tuple(rows),
            n=suppressor.shown("n"),
            note=note,
        )
        if len(scale) % 2:
            caption = _(
                "Percent of the answers to each statement: the low end of the scale to the "
                "left of the centre line, the high end to the right, the middle point across "
                "it. The table gives the same figures."
            )
        else:
            caption = _(
                "Percent of the answers to each statement: the lower half of the scale to the "
                "left of the centre line, the upper half to the right. The table gives the "
                "same figures."
            )
        legend = [self.choice_label(statements[0], choice) for choice in scale]
        chart = Chart(
            charts.diverging_bars(bars, legend=legend, title=f"{title} {caption}"),
            caption,
            screen_svg=charts.diverging_bars(
                bars,
                legend=legend,
                title=f"{title} {caption}",
                width=340.0,
                font_size=13.0,  # read at about the size of the page's small print
                font_family="DejaVu Sans, Verdana, sans-serif",
            ),
        )
        return chart, table

    def label_text(self, text: engine.Text) -> str:
        return text.get(self.lang)

    def likert_summary(self, counted: dict[str, _Question]) -> Section | None:
        likert = [c for c in counted.values() if c.question.type == "likert"]
        if not likert:
            return None
        rows = []
        for item in likert:
            shown = item.suppressor.shown
            hidden = shown(("n",)) is None or any(
                shown(("c", c.value)) is None for c in _choices(item.question)
            )
            top = [c for c in _choices(item.question) if c.score is not None]
            high = max((c.score for c in top), default=None)
            agree = [c.value for c in top if high is not None and c.score >= high - 1]
            agreeing = None
            if not any(shown(("c", value)) is None for value in agree):
                agreeing = sum(item.counts.get(value, 0) for value in agree)
            rows.append(
                Row(
                    (
                        Cell(self.label(item.question), TEXT),
                        Cell(shown(("n",)), COUNT),
                        Cell(None if hidden else self.mean(item.scores), DECIMAL),
                        Cell(percent(agreeing, shown(("n",))), PERCENT),
                    )
                )
            )
        table = Table(
            id="likert",
            title=_("Statements: mean and share agreeing"),
            columns=(_("Statement"), "N", _("Mean"), _("Agree (top two)")),
            rows=tuple(rows),
            n=self.data.n,
            note=_("N on each row: the people who answered the statement."),
        )
        return Section(_("Summary of the statements"), (table,))

    def breakdowns(self, counted: dict[str, _Question]) -> Section | None:
        if not self.unit_labels or len(self.units) < 1:
            return None
        blocks: list[Table | Paragraph] = [self.answers_by_unit()]
        for item in counted.values():
            if item.question.type == "likert":
                blocks.append(self.likert_by_unit(item))
            elif item.question.type == "yes_no":
                blocks.append(self.yes_by_unit(item))
        return Section(_("By unit"), tuple(blocks), page_break_before=True)

    def answers_by_unit(self) -> Table:
        suppressor = Suppressor(self.minimum)
        total = suppressor.cell("total", self.data.n)
        keys = [suppressor.cell(unit, len(self.data.by_unit[unit])) for unit in self.units]
        suppressor.add_constraint([*keys, total])
        rows = []
        for unit in self.units:
            answers = suppressor.shown(unit)
            rows.append(
                Row(
                    (
                        Cell(self.unit_label(unit), TEXT),
                        Cell(answers, COUNT),
                        Cell(percent(answers, self.data.n), PERCENT),
                    )
                )
            )
        rows.append(
            Row(
                (
                    Cell(_("Total"), TEXT),
                    Cell(suppressor.shown(total), COUNT),
                    Cell(100.0, PERCENT),
                ),
                total=True,
            )
        )
        return Table(
            id="units",
            title=_("Answers by unit"),
            columns=(_("Unit"), _("Answers"), _("Share of answers")),
            rows=tuple(rows),
            n=self.data.n,
            note=_("The unit is the one the respondents gave in their answers."),
        )

    def likert_by_unit(self, item: _Question) -> Table:
        shown = item.suppressor.shown
        rows = []
        for unit in self.units:
            n = shown(("un", unit))
            mean = None if n is None else self.mean(item.unit_scores.get(unit, []))
            rows.append(
                Row((Cell(self.unit_label(unit), TEXT), Cell(n, COUNT), Cell(mean, DECIMAL)))
            )
        return Table(
            id=f"u-{item.question.name}",
            title=self.label(item.question),
            columns=(_("Unit"), "N", _("Mean")),
            rows=tuple(rows),
            n=shown(("n",)),
        )

    def yes_by_unit(self, item: _Question) -> Table:
        shown = item.suppressor.shown
        rows = []
        for unit in self.units:
            n = shown(("un", unit))
            # A row whose N is hidden shows nothing: «0 yes» in a small unit would tell
            # what every one of them answered.
            yes = None if n is None else shown(("uc", unit, "yes"))
            rows.append(
                Row(
                    (
                        Cell(self.unit_label(unit), TEXT),
                        Cell(n, COUNT),
                        Cell(yes, COUNT),
                        Cell(percent(yes, n), PERCENT),
                    )
                )
            )
        return Table(
            id=f"u-{item.question.name}",
            title=self.label(item.question),
            columns=(_("Unit"), "N", _("Yes"), _("% yes")),
            rows=tuple(rows),
            n=shown(("n",)),
        )

    def free_text(self) -> Section | None:
        blocks: list[Paragraph] = []
        for question in self.definition.questions:
            if not _is_free_text(question):
                continue
            # Sorted, so the order says nothing about who answered first.
            texts = sorted(
                value.strip()
                for data in self.data.responses
                if isinstance(value := data.get(question.name), str) and value.strip()
            )
            if not texts:
                continue
            blocks.append(
                Paragraph(f"{self.label(question)} (N = {fmt_count(len(texts), self.lang)})")
            )
            blocks.extend(Paragraph(f"«{text}»") for text in texts)
        if not blocks:
            return None
        return Section(_("Free-text answers"), tuple(blocks), page_break_before=True)

    def report(self) -> Report:
        campaign = self.data.campaign
        title = campaign.title_in(self.lang) or self.definition.title.get(self.lang)
        subtitle = _(
            "Survey results, %(scope)s, %(date)s",
            scope=self.scope_label,
            date=fmt_date(campaign.created_at.date(), self.lang),
        )
        sections = [self.about()]
        if self.data.n < self.minimum:
            sections.append(
                Section(
                    _("Results"),
                    (
                        Paragraph(
                            _(
                                "Fewer than %(minimum)s answers: no results are shown, so "
                                "that nobody can be recognised.",
                                minimum=self.minimum,
                            )
                        ),
                    ),
                )
            )
        else:
            counted = {}
            for question in self.definition.questions:
                if question.type in COUNTED_TYPES:
                    found = self.count_question(question)
                    if found is not None:
                        counted[question.name] = found
            summary = self.likert_summary(counted)
            if summary is not None:
                sections.append(summary)
            sections.extend(self.questions(counted))
            breakdown = self.breakdowns(counted)
            if breakdown is not None:
                sections.append(breakdown)
            if self.include_free_text:
                free = self.free_text()
                if free is not None:
                    sections.append(free)
        return Report(
            title=title,
            subtitle=subtitle,
            header=f"{title} – {subtitle}",
            sections=tuple(sections),
            suppression_note=_(
                "Fewer than %(minimum)s people, or could be worked out from other cells: hidden to protect privacy.",
                minimum=self.minimum,
            ),
        )


def _grid_statements(
    questions: tuple[engine.Question, ...], first: engine.Question
) -> tuple[engine.Question, ...]:
    """The run of consecutive questions sharing `first`'s grid, `first` included, that
    `first` is part of (a grid's statements follow each other on one page)."""
    index = questions.index(first)
    start = index
    while start > 0 and questions[start - 1].grid == first.grid:
        start -= 1
    end = index
    while end + 1 < len(questions) and questions[end + 1].grid == first.grid:
        end += 1
    return questions[start : end + 1]


def reported_campaigns() -> list[Campaign]:
    """The campaigns with results, newest first: identified campaigns are living documents,
    not surveys."""
    return list(
        db.session.scalars(
            select(Campaign).where(Campaign.mode != Mode.IDENTIFIED).order_by(Campaign.id.desc())
        )
    )


def reported_campaign_choices(lang: str) -> list[dict[str, object]]:
    """The reported campaigns as a page lists them: id and title in `lang` (else the
    questionnaire's title in that language)."""
    return [
        {
            "id": campaign.id,
            "title": campaign.title_in(lang)
            or definition_of(_latest_version(campaign)).title.get(lang),
        }
        for campaign in reported_campaigns()
    ]


def scope_text(scope: Scope) -> str:
    if scope.is_whole:
        return _("all answers")
    return _("answers from %(units)s", units=", ".join(u.name for u in scope.units()) or "–")


def build_campaign_report(
    campaign: Campaign,
    *,
    lang: str,
    minimum: int,
    include_free_text: bool = False,
    scope: Scope | None = None,
) -> Report:
    """The report in `lang`, of the answers from the units in `scope` (default: all)."""
    scope = scope or Scope.whole()
    unit_values = scope.unit_codes()
    with force_locale(lang):
        data = campaign_answers(campaign, unit_values)
        if data is None:
            version = _latest_version(campaign)
            data = CampaignAnswers(
                campaign,
                definition_of(version),
                [],
                0,
                None if unit_values is None else frozenset(unit_values),
            )
        label = scope_text(scope)
        return _Builder(
            data,
            lang=lang,
            minimum=minimum,
            include_free_text=include_free_text,
            scope_label=label,
        ).report()


def _latest_version(campaign: Campaign) -> QuestionnaireVersion:
    from survey.questionnaires.services import latest_version

    version = latest_version(campaign.questionnaire_id)
    if version is None:
        raise LookupError(f"questionnaire {campaign.questionnaire_id} is not loaded")
    return version
