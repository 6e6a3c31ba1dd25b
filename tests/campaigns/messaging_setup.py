"""People, a campaign and roster invitations for the messaging, reminder and letter tests,
made directly (as `campaigns.inviting.invite_roster` does) so these tests stand alone."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select

from survey.accounts.models import Person, Unit
from survey.campaigns.models import Campaign, Invitation
from survey.campaigns.services import create_campaign, derived_token, hash_token, new_salt
from survey.extensions import db
from survey.outbox.models import OutboxMessage

CLOSES = dt.date(2027, 1, 15)


def people(specs) -> list[Person]:
    """`specs`: (name, email, mobile) per person, all in the unit HJEM."""
    unit = db.session.scalars(select(Unit).where(Unit.code == "HJEM")).first()
    if unit is None:
        unit = Unit(code="HJEM", name="Hjemmetjenesten")
        db.session.add(unit)
    made = [
        Person(name=name, email=email, mobile=mobile, unit=unit) for name, email, mobile in specs
    ]
    db.session.add_all(made)
    db.session.flush()
    return made


def campaign(mode="identified", *, language="nb", closes_on=CLOSES, **kwargs) -> Campaign:
    return create_campaign(
        "heltid-arlig",
        mode,
        "Kartlegging 2027",
        title_nn="Kartlegging 2027 (nynorsk)",
        opens_on=kwargs.pop("opens_on", dt.date(2026, 12, 1)),
        closes_on=closes_on,
        language=language,
        **kwargs,
    )


def invite(campaign: Campaign, persons, created_on: dt.date | None = None) -> list[Invitation]:
    invitations = []
    for person in persons:
        salt = new_salt()
        token = derived_token(current_app.config["SECRET_KEY"], salt)
        invitation = Invitation(
            campaign=campaign,
            token_hash=hash_token(token),
            token_salt=salt,
            person_id=person.id,
            unit_id=person.unit_id,
            yrkesgruppe="helsefagarbeider",
            created_on=created_on or dt.date(2026, 12, 1),
        )
        db.session.add(invitation)
        invitations.append(invitation)
    db.session.flush()
    return invitations


def link_of(invitation: Invitation) -> str:
    token = derived_token(current_app.config["SECRET_KEY"], invitation.token_salt)
    return current_app.config["BASE_URL"].rstrip("/") + f"/i/{token}"


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
