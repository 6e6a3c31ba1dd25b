"""Turning engine objects into plain dicts for templates, in the respondent's language."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey import engine
from survey.engine.definition import EMPLOYEE_AUDIENCE, WRITTEN_AUDIENCE
from survey.engine.piping import question_piped_names

MODE_EXPLANATIONS = {
    "anonymous": _l(
        "Your answers are anonymous. We do not store who you are together with your answers, "
        "and nobody can see what you answered."
    ),
    "confidential": _l(
        "Your answers are confidential. We know that you have answered, but nobody is shown "
        "your answers. Results are only shown for groups large enough that no one can be "
        "recognised."
    ),
    "identified": _l(
        "Your answers are stored with your name. The project leader uses them to find a "
        "position that suits you, and you can see and change what is stored about you."
    ),
}


def error_message(
    error: engine.FieldError,
    lang: str,
    question: engine.Question | None = None,
    audience: str = WRITTEN_AUDIENCE,
) -> str:
    params = dict(error.params)
    if error.code == "constraint" and question is not None:
        params["message"] = question.constraint_message_for(audience) or params.get("message")
    code = error.code
    if code == "required":
        return _("Please answer this question.")
    if code == "invalid_integer":
        return _("Write a whole number, for example 12.")
    if code == "invalid_number":
        return _("Write a number, for example 62,5.")
    if code == "invalid_date":
        return _("Write a date as day.month.year, for example 01.09.2026.")
    if code == "out_of_range":
        low, high = params.get("min"), params.get("max")
        if low is not None and high is not None:
            return _(
                "The number must be between %(min)s and %(max)s.",
                min=format_decimal(low),
                max=format_decimal(high),
            )
        if low is not None:
            return _("The number must be at least %(min)s.", min=format_decimal(low))
        return _("The number must be at most %(max)s.", max=format_decimal(high))
    if code == "unknown_choice":
        return _("Choose one of the options shown.")
    if code == "too_long":
        return _("The answer is too long: at most %(max)s characters.", max=params.get("max"))
    if code == "too_many_values":
        return _("Choose only one option.")
    if code == "constraint":
        message = params.get("message")
        if message is not None:
            return message.get(lang)
        return _("This answer is not possible here. Please check it.")
    return _("Please check this answer.")


def display_value(
    question: engine.Question, value: Any, lang: str, audience: str = WRITTEN_AUDIENCE
) -> str:
    """An answer as the respondent would read it on the review page."""
    if value is None or value == "" or value == []:
        return ""
    if question.type in ("select_multiple", "select_one", "likert"):
        labels = {choice["value"]: choice["label"] for choice in _choices(question, lang, audience)}
        if question.type == "select_multiple":
            return ", ".join(labels.get(v, v) for v in value)
        return labels.get(str(value), str(value))
    if question.type == "yes_no":
        return _("Yes") if value == "yes" else _("No")
    if question.type == "percent":
        return f"{format_decimal(value)} %"
    if question.type in ("integer", "decimal"):
        return format_decimal(value)
    if question.type == "date" and isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def form_value(question: engine.Question, value: Any) -> Any:
    """A stored answer as the form field's value."""
    if value is None:
        return [] if question.type == "select_multiple" else ""
    if question.type == "select_multiple":
        return [str(v) for v in value]
    if question.type in ("decimal", "percent") and isinstance(value, float):
        return format_decimal(value, format="0.##########")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _choices(question: engine.Question, lang: str, audience: str) -> list[dict[str, str]]:
    """`choices_of`, as the question's static view keeps it (the review shows every answer's
    label: the labels are not looked up again for each)."""
    return _static_view(question, lang, audience)["choices"]


def choices_of(
    question: engine.Question, lang: str, audience: str = WRITTEN_AUDIENCE
) -> list[dict[str, str]]:
    if question.type == "yes_no":
        return [{"value": "yes", "label": _("Yes")}, {"value": "no", "label": _("No")}]
    return [{"value": c.value, "label": c.label_for(audience).get(lang)} for c in question.choices]


# The parts of a question's view that depend only on the definition and the language, kept
# per process: definitions never change once parsed (a new version is a new object).
_static_views: dict[tuple[int, str, str], tuple[engine.Question, dict[str, Any]]] = {}


def _static_view(question: engine.Question, lang: str, audience: str) -> dict[str, Any]:
    key = (id(question), lang, audience)
    cached = _static_views.get(key)
    if cached is not None and cached[0] is question:
        return cached[1]
    hint = question.hint_for(audience)
    piped = question_piped_names(question)
    view = {
        "name": question.name,
        "type": question.type,
        "label": question.label_for(audience).get(lang),
        "hint": hint.get(lang) if hint else None,
        "choices": choices_of(question, lang, audience),
        "long": question.long,
        "max_length": question.max_length,
        "relevant": json.dumps(engine.to_json(question.relevant)) if question.relevant else None,
        "other_of": question.other_of,
        "multiple": question.type == "select_multiple",
        # The field's HTML while unanswered and without error, per (required, visible): a
        # page right after the redirect shows its questions so. survey.templating's `field`
        # filter fills it in on first use; it holds no answer, only the definition's text.
        # Not for a question that pipes an answer into its texts: its HTML holds that answer.
        "unanswered_html": None if piped else {},
        "piped": piped,
        "grid": _grid_view(question, lang, audience) if question.grid is not None else None,
    }
    _static_views[key] = (question, view)
    return view


def _grid_view(question: engine.Question, lang: str, audience: str) -> dict[str, Any]:
    """What a Likert grid's statements share: its lead text, hint and the scale's labels (the
    header row of the wide-screen table)."""
    grid = question.grid
    return {
        "name": grid.name,
        "label": grid.label.get(lang),
        "hint": grid.hint.get(lang) if grid.hint else None,
        "scale": [choice["label"] for choice in choices_of(question, lang, audience)],
    }


def piped_values(
    questionnaire: engine.Questionnaire,
    names: Iterable[str],
    answers: Mapping[str, Any],
    lang: str,
    *,
    today: dt.date,
    audience: str = WRITTEN_AUDIENCE,
) -> dict[str, str]:
    """The answers that `${name}` shows, formatted as the review page shows them; a question
    not answered, or not counted because it is not relevant, shows as empty (piping's «…»)."""
    counted = engine.final_answers(questionnaire, answers, today)
    values = {}
    for name in names:
        try:
            question = questionnaire.question(name)
        except KeyError:
            continue
        values[name] = display_value(question, counted.get(name), lang, audience)
    return values


def piped_text(text: str | None, view: Mapping[str, Any], values: Mapping[str, str]) -> str | None:
    if text is None or not view["piped"]:
        return text
    return engine.pipe(text, values)


def _live_pipe(
    view: Mapping[str, Any], values: Mapping[str, str], on_page: Collection[str]
) -> dict[str, Any]:
    grid = view["grid"] or {}
    return {
        "label": view["label"],
        "hint": view["hint"],
        "grid_label": grid.get("label"),
        "grid_hint": grid.get("hint"),
        # The answers from earlier pages, as the server formats them; the script reads the
        # ones on this page from their fields.
        "values": json.dumps(
            {name: values.get(name, "") for name in view["piped"] if name not in on_page},
            ensure_ascii=False,
        ),
    }


def question_view(
    question: engine.Question,
    lang: str,
    *,
    visible: bool,
    required: bool,
    value: Any,
    error: str | None,
    audience: str = WRITTEN_AUDIENCE,
    piped: Mapping[str, str] | None = None,
    on_page: Collection[str] = (),
) -> dict[str, Any]:
    """A question's view for the `field` macro; `piped` holds the display values of the
    answers its texts show (piped_values). Where a text shows an answer given earlier on the
    same page (a name in `on_page`), the view also carries the text before piping, for
    branching.js to show that answer as it is typed (`pipe`: {label, hint, values})."""
    view = dict(_static_view(question, lang, audience))
    view["pipe"] = None
    if view["piped"]:
        values = piped or {}
        if any(name in on_page for name in view["piped"]):
            view["pipe"] = _live_pipe(view, values, on_page)
        view["label"] = piped_text(view["label"], view, values)
        view["hint"] = piped_text(view["hint"], view, values)
        error = piped_text(error, view, values)
        if view["grid"] is not None:
            view["grid"] = {
                **view["grid"],
                "label": piped_text(view["grid"]["label"], view, values),
                "hint": piped_text(view["grid"]["hint"], view, values),
            }
    described = []
    if view["hint"]:
        described.append(f"h-{question.name}")
    if error:
        described.append(f"e-{question.name}")
    selected = set(value) if view["multiple"] else {value}
    view.update(
        required=required,
        visible=visible,
        value=value,
        error=error,
        describedby=" ".join(described),
        checked=[choice["value"] in selected for choice in view["choices"]],
    )
    return view


def page_questions(
    questionnaire: engine.Questionnaire,
    page: engine.Page,
    answers: Mapping[str, Any],
    lang: str,
    *,
    today: dt.date,
    raw: Mapping[str, Any] | None = None,
    errors: Mapping[str, engine.FieldError] | None = None,
    audience: str = WRITTEN_AUDIENCE,
) -> list[dict[str, Any]]:
    """Every question of the page; the ones not relevant now are rendered hidden, so the
    progressive-enhancement script can reveal them without a round trip. `audience` chooses
    the employee's wording where the definition gives one."""
    relevant = {q.name for q in engine.relevant_questions(questionnaire, page, answers, today)}
    errors = errors or {}
    names = {name for q in page.questions for name in _static_view(q, lang, audience)["piped"]}
    piped = (
        piped_values(questionnaire, names, answers, lang, today=today, audience=audience)
        if names
        else None
    )
    on_page = {question.name for question in page.questions}
    views = []
    for question in page.questions:
        if raw is not None:
            value = raw.get(question.name, [] if question.type == "select_multiple" else "")
        else:
            value = form_value(question, answers.get(question.name))
        error = errors.get(question.name)
        views.append(
            question_view(
                question,
                lang,
                visible=question.name in relevant,
                # Whether it must be answered once it is shown: a hidden question can be
                # revealed by the script without a round trip, and must not say «optional».
                required=engine.is_required(question, answers, today),
                value=value,
                error=error_message(error, lang, question, audience) if error else None,
                audience=audience,
                piped=piped,
                on_page=on_page,
            )
        )
    _mark_grids(views)
    return views


def _mark_grids(views: list[dict[str, Any]]) -> None:
    """A grid's statements are consecutive: the first opens the grid's box (`grid_start`, with
    whether any statement is shown), the last closes it (`grid_end`)."""
    index = 0
    while index < len(views):
        grid = views[index]["grid"]
        if grid is None:
            index += 1
            continue
        end = index
        while end + 1 < len(views) and (views[end + 1]["grid"] or {}).get("name") == grid["name"]:
            end += 1
        statements = views[index : end + 1]
        views[index]["grid_start"] = {
            **grid,
            "pipe": views[index]["pipe"],
            "visible": any(view["visible"] for view in statements),
            "points": len(views[index]["choices"]),
        }
        views[end]["grid_end"] = True
        index = end + 1


def raw_form_values(page: engine.Page, form: Any) -> dict[str, Any]:
    """What the respondent typed, to show it again next to an error."""
    values: dict[str, Any] = {}
    for question in page.questions:
        if question.type == "select_multiple":
            values[question.name] = form.getlist(question.name)
        else:
            values[question.name] = form.get(question.name, "")
    return values


def visible_names(questions: Collection[dict[str, Any]]) -> str:
    return " ".join(q["name"] for q in questions if q["visible"])


def review_sections(
    questionnaire: engine.Questionnaire,
    pages: Iterable[engine.Page],
    answers: Mapping[str, Any],
    lang: str,
    *,
    today: dt.date,
    edit_url: Callable[[str], str],
    audience: str = WRITTEN_AUDIENCE,
) -> list[dict[str, Any]]:
    """The review page: each page's relevant questions with the answer given, or whether a
    required one is missing; `edit_url(page_name)` links back to the page."""
    pages = list(pages)
    label = _piped_labels(
        questionnaire,
        [q for page in pages for q in page.questions],
        answers,
        lang,
        today=today,
        audience=audience,
    )
    sections = []
    for page in pages:
        items = []
        for question in engine.relevant_questions(questionnaire, page, answers, today):
            if question.type == "note":
                continue
            items.append(
                {
                    "name": question.name,
                    "label": label(question),
                    "answer": display_value(question, answers.get(question.name), lang, audience),
                    "missing": question.name not in answers
                    and engine.is_required(question, answers, today),
                }
            )
        sections.append(
            {
                "title": page.title_for(audience).get(lang),
                "edit_url": edit_url(page.name),
                "items": items,
            }
        )
    return sections


def _piped_labels(
    questionnaire: engine.Questionnaire,
    questions: Iterable[engine.Question],
    answers: Mapping[str, Any],
    lang: str,
    *,
    today: dt.date,
    audience: str,
) -> Callable[[engine.Question], str]:
    """A function giving a question's label with the answers it pipes filled in. The names
    and the label come from the questions' static views: worked out once per process, not on
    every view of the review or the receipt."""
    names = {
        name for question in questions for name in _static_view(question, lang, audience)["piped"]
    }
    values = (
        piped_values(questionnaire, names, answers, lang, today=today, audience=audience)
        if names
        else {}
    )

    def label(question: engine.Question) -> str:
        return engine.pipe(_static_view(question, lang, audience)["label"], values)

    return label


def recorded_view(
    recorded: Mapping[str, Any],
    survey: engine.Questionnaire,
    guide: engine.Questionnaire | None,
    lang: str,
    answers: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The receipt's account of the living document (answering.services.recorded_changes):
    each changed field with the label the respondent just read (the guide's wording for «du»
    for the fields the survey does not ask, with the answers it pipes as recorded), and its
    value or «removed». `answers` (the response's) fill in the survey's piped labels."""
    # In the order the respondent met the questions; the guide's own fields after them.
    order = {q.name: i for i, q in enumerate(survey.questions)}
    if guide is not None:
        for question in guide.questions:
            order.setdefault(question.name, len(order))
    survey_label = _piped_labels(
        survey,
        survey.questions,
        answers or {},
        lang,
        today=today or dt.date.today(),
        audience=WRITTEN_AUDIENCE,
    )
    recorded_values: dict[str, str] = {}
    found = []
    for name, data in sorted(recorded.get("changes", []), key=lambda c: order.get(c[0], 1e9)):
        question = _question_named(survey, name)
        audience = WRITTEN_AUDIENCE
        if question is None and guide is not None:
            question, audience = _question_named(guide, name), EMPLOYEE_AUDIENCE
        if question is None or question.type == "note":
            continue
        value = engine.deserialize(question, data) if data is not None else None
        recorded_values[name] = display_value(question, value, lang, audience)
        found.append((question, audience, value))
    changes = []
    for question, audience, value in found:
        if audience == WRITTEN_AUDIENCE:
            label = survey_label(question)
        else:
            label = engine.pipe(question.label_for(audience).get(lang), recorded_values)
        changes.append(
            {
                "label": label,
                "value": display_value(question, value, lang, audience)
                if value is not None
                else _("(removed)"),
            }
        )
    return {"kind": recorded["kind"], "changes": changes}


def _question_named(questionnaire: engine.Questionnaire, name: str) -> engine.Question | None:
    try:
        return questionnaire.question(name)
    except KeyError:
        return None
