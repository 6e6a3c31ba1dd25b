"""One person's living document as a PDF: the current state, the classification in plain
words and a summary of the history, for the employee or for the committee.

What each audience sees is data (`AUDIENCES`): the committee (ansettelsesutvalg) gets an
allow-list of fields, never the health or family reasons (special-category data,
docs/domain.md § Law: Personal data) and never free-text notes; the employee gets everything
recorded about them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from reports.formatting import date as fmt_date
from reports.model import Facts, Paragraph, Report, Section
from survey.accounts.models import Person
from survey.engine.definition import EMPLOYEE_AUDIENCE, WRITTEN_AUDIENCE
from survey.living import presenting as living
from survey.living import services as living_services

EMPLOYEE = "employee"
COMMITTEE = "committee"


@dataclass(frozen=True)
class Audience:
    """Which fields of the living document a reader gets. `fields` None: all of them."""

    fields: frozenset[str] | None
    withheld_values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    revision_notes: bool = False
    # The employee's own copy speaks to them as «du» (the guide's `label_employee`).
    wording: str = WRITTEN_AUDIENCE


HEALTH_AND_FAMILY = frozenset({"helse", "omsorg"})

AUDIENCES: dict[str, Audience] = {
    EMPLOYEE: Audience(fields=None, revision_notes=True, wording=EMPLOYEE_AUDIENCE),
    # What an ansettelsesutvalg needs to weigh a fortrinnsrett (aml. § 14-3): position, wishes,
    # flexibility and qualification. Left out: venter_barnehageplass (family), the free-text
    # reasons, comments, notes and agreed measures; and health and care among the reasons.
    COMMITTEE: Audience(
        fields=frozenset(
            {
                "enhet",
                "yrkesgruppe",
                "yrkesgruppe_annet",
                "ansettelsesform",
                "leder",
                "stillingsprosent",
                "flere_stillinger",
                "stillinger_detaljer",
                "vakter_na",
                "fornoyd_storrelse",
                "fornoyd_turnus",
                "onsket_endring",
                "onsket_prosent",
                "onsket_fast",
                "onsket_prosent_mindre",
                "villig_helger",
                "helger_per_ar",
                "villig_langvakter",
                "langvakt_hyppighet",
                "villig_andre_enheter",
                "andre_vakter",
                "tar_ledige_vakter",
                "ubundet_tid",
                "interesse_arsturnus",
                "interesse_onsketurnus",
                "fagbrev",
                "oppstart_uker",
                "onske_skriftlig",
                "forsokt_flere_timer",
                "kvalifisert",
                "arsaker_deltid",
                "arsak_mindre",
                "neste_oppfolging",
            }
        ),
        withheld_values={
            "arsaker_deltid": HEALTH_AND_FAMILY,
            "arsak_mindre": HEALTH_AND_FAMILY,
        },
        revision_notes=False,
    ),
}


def visible_data(data: Mapping[str, Any], audience: Audience) -> dict[str, Any]:
    """The fields and values of a revision this audience may read."""
    shown: dict[str, Any] = {}
    for name, value in data.items():
        if audience.fields is not None and name not in audience.fields:
            continue
        withheld = audience.withheld_values.get(name)
        if withheld:
            if isinstance(value, list):
                value = [item for item in value if item not in withheld]
                if not value:
                    continue
            elif value in withheld:
                continue
        shown[name] = value
    return shown


def _shown(text: str) -> str:
    # «50 %» must not break between the number and the sign.
    return text.replace(" %", "\u00a0%") if text else "–"


def _history(person: Person, audience: Audience, lang: str) -> list[Facts]:
    """One block per revision, newest first: when, from where, and what changed, compared
    on the audience's fields only (a revision that changed nothing they may see is left
    out)."""
    from sqlalchemy import select

    from survey.extensions import db
    from survey.living.models import Revision

    document = living.existing_document(person)
    if document is None:
        return []
    meta = {item["number"]: item for item in living.history_view(document, lang)}
    questions = living.questions()
    order = {name: index for index, name in enumerate(questions)}
    revisions = db.session.scalars(
        select(Revision).where(Revision.document_id == document.id).order_by(Revision.number)
    )
    blocks = []
    previous: dict[str, Any] = {}
    for revision in revisions:
        current = visible_data(revision.data or {}, audience)
        changes = sorted(
            living_services.diff(previous, current),
            key=lambda change: (order.get(change.field, len(order)), change.field),
        )
        previous = current
        if not changes and revision.number != 1:
            continue
        info = meta[revision.number]
        author = info["author_role"] + (f" ({info['author']})" if info["author"] else "")
        rows = [
            (
                _(
                    "Version %(number)s, in force from %(date)s",
                    number=revision.number,
                    date=fmt_date(revision.effective_on, lang),
                ),
                f"{info['source']}, {author}",
            )
        ]
        if revision.number == 1:
            rows.append((_("First version"), _("%(count)s fields recorded", count=len(changes))))
        else:
            for change in changes:
                wording = audience.wording
                old = _shown(living.display(questions, change.field, change.old, lang, wording))
                new = _shown(living.display(questions, change.field, change.new, lang, wording))
                label = living.label(questions, change.field, lang, wording)
                rows.append((label, f"{old} → {new}"))
        if audience.revision_notes and info["note"]:
            rows.append((_("Note"), info["note"]))
        blocks.append(Facts(tuple(rows)))
    blocks.reverse()
    return blocks


def build_person_report(
    person: Person, *, audience: str, lang: str, with_history: bool = True
) -> Report:
    """`with_history` False for readers who may only see current records (unit leaders)."""
    chosen = AUDIENCES[audience]
    with force_locale(lang):
        document = living.existing_document(person)
        revision = living_services.current_revision(document) if document else None
        data = dict(revision.data or {}) if revision is not None else {}
        confirmed = living_services.last_confirmed(document) if document else None
        audience_text = (
            _("For the employee")
            if audience == EMPLOYEE
            else _("For the committee: without health and family reasons or notes")
        )
        facts = [(_("Name"), person.name)]
        if person.ansattnummer:
            facts.append((_("Employee number"), person.ansattnummer))
        if person.unit is not None:
            facts.append((_("Unit"), person.unit.name))
        if revision is not None:
            facts.append(
                (
                    _("Version"),
                    _(
                        "Version %(number)s, in force from %(date)s",
                        number=revision.number,
                        date=fmt_date(revision.effective_on, lang),
                    ),
                )
            )
            facts.append(
                (
                    _("Last confirmed by the employee"),
                    fmt_date(confirmed.date(), lang) if confirmed else _("Not confirmed"),
                )
            )
        facts.append((_("Version of this document"), audience_text))
        sections = [Section(_("Person"), (Facts(tuple(facts)),))]
        if revision is None:
            sections.append(
                Section(_("Living document"), (Paragraph(_("No living document yet.")),))
            )
        else:
            items = living.state_items(visible_data(data, chosen), lang, chosen.wording)
            sections.append(
                Section(
                    _("Current state"),
                    (Facts(tuple((item["label"], _shown(item["value"])) for item in items)),),
                )
            )
            sections.append(_classification_section(person, data, lang))
            if with_history:
                history = _history(person, chosen, lang)
                sections.append(Section(_("History"), tuple(history)))
            else:
                sections.append(
                    Section(
                        _("History"),
                        (Paragraph(_("Not included: your role shows current records only.")),),
                    )
                )
        title = _("Living document")
        subtitle = f"{person.name} – {audience_text}"
        return Report(
            title=title,
            subtitle=subtitle,
            header=f"{title} – {person.name}",
            sections=tuple(sections),
            suppression_note="",
        )


def _classification_section(person: Person, data: Mapping[str, Any], lang: str) -> Section:
    # Classified on the whole record, so the status is the real one whichever audience reads
    # it; what is shown are the definition's criteria and their outcomes, not the answers.
    view = living.record_view(data, lang)
    blocks: list[Paragraph | Facts] = [
        Paragraph(
            _(
                "Under the definition the municipality has chosen (%(profile)s, heltid "
                "%(threshold)s), %(name)s counts as:",
                profile=view["profile"],
                threshold=view["threshold"],
                name=person.name,
            )
            + f" {view['status_label']}."
        )
    ]
    if view["criteria"]:
        blocks.append(
            Facts(tuple((item["label"], item["outcome_label"]) for item in view["criteria"]))
        )
    if view["excluded"]:
        blocks.append(
            Paragraph(
                _(
                    "Not counted in the figures for involuntary part time: %(groups)s.",
                    groups=", ".join(view["excluded"]),
                )
            )
        )
    if view["others"]:
        blocks.append(Paragraph(_("Under the other definitions")))
        blocks.append(
            Facts(tuple((item["profile"], item["status_label"]) for item in view["others"]))
        )
    return Section(_("Part time: voluntary or involuntary?"), tuple(blocks))
