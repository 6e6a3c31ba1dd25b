"""The candidate list for a committee meeting as a PDF, marked confidential on every page.

Built from the same plain views as the case page (survey.committee.presenting), so it holds
nothing the page does not: no health or family reasons, no notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from reports.model import COUNT, PERCENT, TEXT, Cell, Facts, Paragraph, Report, Row, Section, Table


def build_report(vacancy: dict[str, Any], candidates: Sequence[dict[str, Any]], lang: str):
    with force_locale(lang):
        confidential = _("Confidential")
        title = _("Candidate list")
        facts = [
            (_("Unit"), vacancy["unit"]),
            (_("Yrkesgruppe"), vacancy["yrkesgruppe"]),
            (_("Percent"), vacancy["percent"]),
            (_("Shares"), " + ".join(vacancy["shares"])),
            (_("Permanent or temporary"), vacancy["employment"]),
            (_("Working time"), vacancy["pattern"]),
            (_("Start date"), vacancy["start_date"]),
            (_("Order within the groups"), "; ".join(vacancy["order"])),
            (_("Committee members"), ", ".join(vacancy["members"]) or "–"),
            (_("Status"), vacancy["status_label"]),
        ]
        sections = [
            Section(
                _("The vacancy"),
                (
                    Paragraph(
                        _(
                            "%(confidential)s: for the committee members of this case only. "
                            "The list shows what is needed for the case and nothing about "
                            "health or family.",
                            confidential=confidential,
                        )
                    ),
                    Facts(tuple(facts)),
                ),
            )
        ]
        rows = tuple(
            Row(
                (
                    Cell(_summary(c), TEXT),
                    Cell(c["current_value"], PERCENT),
                    Cell(c["desired_value"], PERCENT)
                    if c["desired_value"] is not None
                    else Cell("–", TEXT),
                    Cell(sum(1 for check in c["checks"] if check["outcome"] == "not_met"), COUNT),
                )
            )
            for c in candidates
        )
        sections.append(
            Section(
                _("Candidates"),
                (
                    Table(
                        id="candidates",
                        title=_("Candidates in order"),
                        columns=(
                            _("Candidate"),
                            _("Now"),
                            _("Wants"),
                            _("Conditions not met"),
                        ),
                        rows=rows,
                        n=len(candidates),
                    ),
                )
                if candidates
                else (Paragraph(_("No candidates.")),),
            )
        )
        for c in candidates:
            items = [
                (_("Unit"), c["unit"]),
                (_("Yrkesgruppe"), c["yrkesgruppe"]),
                (_("Employment"), c["employment"]),
                (_("Position now"), c["current"]),
                (_("Wants"), c["desired"]),
                (_("Fortrinnsrett"), c["fortrinnsrett_label"]),
                (_("Under the chosen definition"), c["status_label"]),
                (_("Employed since"), c["employed_since"]),
                (_("Last confirmed by the employee"), c["last_confirmed"]),
            ]
            if c["stale"]:
                items.append((_("Warning"), _("Not confirmed in the last 12 months")))
            for check in c["checks"]:
                items.append((check["label"], f"{check['outcome_label']} ({check['stated']})"))
            for past in c["history"]:
                items.append(
                    (
                        _("Earlier case: %(title)s", title=past["title"]),
                        f"{past['outcome_label']}, {past['date']}"
                        + (f": {past['reason']}" if past["reason"] else ""),
                    )
                )
            if c["decision"]:
                decision = c["decision"]
                items.append(
                    (
                        _("Decision"),
                        decision["outcome_label"]
                        + (f" {decision['percent']}" if decision["percent"] else "")
                        + (f": {decision['reason']}" if decision["reason"] else ""),
                    )
                )
            sections.append(Section(f"{c['number']}. {c['name']}", (Facts(tuple(items)),)))
        return Report(
            title=f"{title} – {confidential}",
            subtitle=vacancy["title"],
            header=f"{confidential.upper()} – {title} – {vacancy['title']}",
            sections=tuple(sections),
            suppression_note="",
        )


def _summary(candidate: dict[str, Any]) -> str:
    parts = [f"{candidate['number']}. {candidate['name']}"]
    if candidate["fortrinnsrett"] == "yes":
        parts.append("§ 14-3")
    elif candidate["fortrinnsrett"] == "unclear":
        parts.append(_("§ 14-3 to be assessed"))
    parts.append(candidate["status_label"])
    if candidate["stale"]:
        parts.append(_("not confirmed in 12 months"))
    return " – ".join(parts)


def render(report: Report, lang: str, author: str) -> bytes:
    from reports import PdfMetadata, html_to_pdf, render_html

    metadata = PdfMetadata(
        title=f"{report.title}: {report.subtitle}",
        author=author,
        lang=lang,
        keywords=("konfidensielt", "ansettelsesutvalg"),
    )
    return html_to_pdf(render_html("report.html", {"report": report}, lang, metadata))
