"""Printed invitations: one A4 page per person with the personal link in full and as a QR
code, for those the roster gives neither e-mail nor a mobile number (or everyone), to print
and hand out. Built like every PDF here: plain data -> reports/templates/letters.html ->
WeasyPrint (reports.render), in the campaign's language."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from survey.accounts.models import Person, Unit
from survey.campaigns import messaging
from survey.campaigns.models import Campaign, Channel, Invitation
from survey.campaigns.services import derived_token, invitation_path
from survey.extensions import db

logger = logging.getLogger(__name__)

_HOW = _l("Scan the QR code with the camera on your phone, or type the address in a browser:")
_ASK_LEADER = _l("If you need help, ask your leader.")
_NONE = _l("There are no letters to print: everyone invited can be reached by e-mail or SMS.")
_TITLE = _l("Letters: %(title)s")


def letters_for(campaign: Campaign, include_all: bool = False) -> list[dict[str, Any]]:
    """Who gets a letter, as plain data (name, unit, link), by unit and name: those invited
    whose channel is a letter, or with `include_all` everyone invited. Never those who have
    submitted, who left the roster, or whose link cannot be derived (printed once)."""
    invited_unit = aliased(Unit)
    home_unit = aliased(Unit)
    unit_name = func.coalesce(invited_unit.name, home_unit.name)
    statement = (
        select(Invitation.token_salt, Person.name, unit_name)
        .join(Person, Person.id == Invitation.person_id)
        .outerjoin(invited_unit, invited_unit.id == Invitation.unit_id)
        .outerjoin(home_unit, home_unit.id == Person.unit_id)
        .where(
            Invitation.campaign_id == campaign.id,
            Invitation.used_on.is_(None),
            Invitation.left_on.is_(None),
            Invitation.token_salt.is_not(None),
            Person.left_roster_on.is_(None),
        )
        .order_by(unit_name, Person.name, Invitation.id)
    )
    if not include_all:
        statement = statement.where(Invitation.channel == Channel.LETTER)
    secret_key = current_app.config["SECRET_KEY"]
    base = current_app.config["BASE_URL"].rstrip("/")
    return [
        {
            "name": name,
            "unit": unit or "",
            "link": base + invitation_path(derived_token(secret_key, salt)),
        }
        for salt, name, unit in db.session.execute(statement)
    ]


def qr_svg(link: str) -> Markup:
    """The link as a QR code with its quiet zone, an inline SVG sized by the stylesheet."""
    import segno  # heavy: imported where used, not by every process (docs/architecture.md)

    code = segno.make(link, error="m")
    return Markup(code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr"))


def letters_pdf(campaign: Campaign, include_all: bool = False) -> bytes:
    """The letters as one PDF, a page per person (see `letters_for`)."""
    from reports import PdfMetadata, html_to_pdf, render_html

    lang = campaign.language or "nb"
    people = letters_for(campaign, include_all)
    texts = messaging.letter_sentences(campaign, lang)
    title = messaging.title_of(campaign, lang)
    with force_locale(lang):
        texts["how"] = str(_HOW)
        texts["none"] = str(_NONE)
        texts["help"] = texts["help"] or str(_ASK_LEADER)
        document_title = str(_TITLE) % {"title": title}
    letters = [
        {
            **person,
            "greeting": messaging.render(texts["greeting"], {"name": person["name"]}),
            "qr": qr_svg(person["link"]),
        }
        for person in people
    ]
    author = current_app.config.get("REPORT_AUTHOR", "Heltid")
    metadata = PdfMetadata(title=document_title, author=author, lang=lang)
    html = render_html(
        "letters.html",
        {
            "letters": letters,
            "texts": texts,
            "title": title,
            "heading": current_app.config.get("REPORT_AUTHOR") or "",
        },
        lang,
        metadata,
    )
    logger.info("campaign %s: %d letters rendered", campaign.id, len(letters))
    return html_to_pdf(html)
