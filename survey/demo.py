"""Demo data for trying the product on a fresh machine: campaigns and personal links
for the ten units of the 30 000-inhabitant case (docs/domain.md § Demo data)."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from survey.campaigns.models import Campaign
from survey.campaigns.services import create_campaign, create_invitations
from survey.db import today, unit_of_work
from survey.extensions import db

DEMO_EMPLOYEES = [
    {"enhet": "hjemmetjenesten", "yrkesgruppe": "helsefagarbeider", "stillingsprosent": 60},
    {"enhet": "omsorgssenter_a", "yrkesgruppe": "sykepleier", "stillingsprosent": 80},
    {"enhet": "omsorgssenter_b", "yrkesgruppe": "assistent", "stillingsprosent": 25},
    {"enhet": "tilrettelagte_tjenester_a", "yrkesgruppe": "vernepleier", "stillingsprosent": 100},
    {"enhet": "psykisk_helse_og_rus", "yrkesgruppe": "helsefagarbeider", "stillingsprosent": 50},
]


DEMO_UNITS = [
    ("helse", "Helse og omsorg", None),
    ("iks", "Interkommunalt samarbeid (IKS)", "helse"),
    ("psykisk_helse_og_rus", "Psykisk helse og rus", "helse"),
    ("omsorgssenter_a", "Omsorgssenter A", "helse"),
    ("hjemmetjenesten", "Hjemmetjenesten", "helse"),
    ("omsorgssenter_b", "Omsorgssenter B", "helse"),
    ("omsorgssenter_c", "Omsorgssenter C", "helse"),
    ("integrerte_tjenester", "Integrerte tjenester", "helse"),
    ("tilrettelagte_tjenester_a", "Tilrettelagte tjenester A", "helse"),
    ("tilrettelagte_tjenester_b", "Tilrettelagte tjenester B", "helse"),
    ("tilrettelagte_tjenester_c", "Tilrettelagte tjenester C", "helse"),
]


def _demo_people(base_url: str) -> list[tuple[str, str]]:
    """The unit tree, an HR administrator with a one-off password and an employee's login link."""
    import secrets

    from survey.accounts import services as accounts
    from survey.accounts.models import Role, TokenPurpose, Unit

    units: dict[str, Unit] = {}
    for code, name, parent in DEMO_UNITS:
        units[code] = Unit(code=code, name=name, parent=units.get(parent))
        db.session.add(units[code])
    db.session.flush()
    admin = accounts.create_person("hr@demo.kommune.no", "Hanne HR", unit=units["helse"])
    accounts.grant_role(admin, Role.ADMIN)
    accounts.grant_role(admin, Role.PROSJEKTLEDER)
    password = "-".join(secrets.token_hex(3) for _ in range(4))  # 24 characters, printed once
    accounts.set_password(admin, password)
    employee = accounts.create_person(
        "ola@demo.kommune.no", "Ola Nordmann", unit=units["hjemmetjenesten"], ansattnummer="1001"
    )
    token = accounts.issue_token(employee, TokenPurpose.LOGIN, dt.timedelta(days=14))
    from survey.demo_living import create_demo_documents, give_document

    give_document(employee, units["hjemmetjenesten"], admin)
    create_demo_documents(units, admin)
    return [
        ("staff log-in", f"{base_url}/logg-inn  (hr@demo.kommune.no / {password})"),
        ("employee's one-time login link (Ola Nordmann)", f"{base_url}/lenke/{token}"),
    ]


@unit_of_work()
def create_demo_data(base_url: str) -> list[tuple[str, str]]:
    """Create demo campaigns when there are none, as a job (one unit of work); returns
    (label, link) pairs to print."""
    if db.session.scalar(select(func.count()).select_from(Campaign)):
        return []
    random.seed()
    mapping = create_campaign(
        "heltid-arlig",
        "confidential",
        "Årlig kartlegging av stillingsønsker 2026",
        title_nn="Årleg kartlegging av stillingsønske 2026",
        title_en="Annual survey of position wishes 2026",
        # A running round, as in the yearly cycle: open for four weeks, reminders before closing.
        opens_on=today() - dt.timedelta(days=3),
        closes_on=today() + dt.timedelta(days=25),
        reminder_days=(7, 3),
    )
    tokens = create_invitations(mapping, len(DEMO_EMPLOYEES), DEMO_EMPLOYEES)
    open_mapping = create_campaign(
        "heltid-arlig",
        "anonymous",
        "Heltid og deltid – anonym kartlegging",
        title_nn="Heiltid og deltid – anonym kartlegging",
        title_en="Full time and part time – anonymous survey",
    )
    environment = create_campaign(
        "arbeidsmiljo",
        "anonymous",
        "Arbeidsmiljøundersøkelse 2026",
        title_nn="Arbeidsmiljøundersøking 2026",
        title_en="Working environment survey 2026",
    )
    links = [
        (
            f"heltid-arlig, personal link ({e['yrkesgruppe']}, {e['stillingsprosent']} %)",
            f"{base_url}/i/{t}",
        )
        for e, t in zip(DEMO_EMPLOYEES, tokens, strict=True)
    ]
    links.append(("heltid-arlig, anonymous open link", f"{base_url}/s/{open_mapping.slug}"))
    links.append(("arbeidsmiljo, anonymous open link", f"{base_url}/s/{environment.slug}"))
    from survey.accounts.models import Person

    if not db.session.scalar(select(func.count()).select_from(Person)):
        links.extend(_demo_people(base_url))
    return links


def existing_links(base_url: str) -> list[tuple[str, str]]:
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id))
    return [
        (f"{c.questionnaire_id} ({c.mode.value}) {c.title or ''}".strip(), f"{base_url}/s/{c.slug}")
        for c in campaigns
    ]
