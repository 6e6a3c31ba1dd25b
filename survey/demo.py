"""Demo data for trying the product on a fresh machine: campaigns and personal links
for the ten units of the 30 000-inhabitant case (domain.md §9)."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from survey.campaigns.models import Campaign
from survey.campaigns.services import create_campaign, create_invitations
from survey.extensions import db

DEMO_EMPLOYEES = [
    {"enhet": "hjemmetjenesten", "yrkesgruppe": "helsefagarbeider", "stillingsprosent": 60},
    {"enhet": "omsorgssenter_a", "yrkesgruppe": "sykepleier", "stillingsprosent": 80},
    {"enhet": "omsorgssenter_b", "yrkesgruppe": "assistent", "stillingsprosent": 25},
    {"enhet": "tilrettelagte_tjenester_a", "yrkesgruppe": "vernepleier", "stillingsprosent": 100},
    {"enhet": "psykisk_helse_og_rus", "yrkesgruppe": "helsefagarbeider", "stillingsprosent": 50},
]


def create_demo_data(base_url: str) -> list[tuple[str, str]]:
    """Create demo campaigns when there are none; returns (label, link) pairs to print."""
    if db.session.scalar(select(func.count()).select_from(Campaign)):
        return []
    random.seed()
    mapping = create_campaign(
        "heltid-arlig", "confidential", "Årlig kartlegging av stillingsønsker 2026"
    )
    tokens = create_invitations(mapping, len(DEMO_EMPLOYEES), DEMO_EMPLOYEES)
    open_mapping = create_campaign(
        "heltid-arlig", "anonymous", "Heltid og deltid – anonym kartlegging"
    )
    environment = create_campaign("arbeidsmiljo", "anonymous", "Arbeidsmiljøundersøkelse 2026")
    links = [
        (
            f"heltid-arlig, personal link ({e['yrkesgruppe']}, {e['stillingsprosent']} %)",
            f"{base_url}/i/{t}",
        )
        for e, t in zip(DEMO_EMPLOYEES, tokens, strict=True)
    ]
    links.append(("heltid-arlig, anonymous open link", f"{base_url}/s/{open_mapping.slug}"))
    links.append(("arbeidsmiljo, anonymous open link", f"{base_url}/s/{environment.slug}"))
    return links


def existing_links(base_url: str) -> list[tuple[str, str]]:
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id))
    return [
        (f"{c.questionnaire_id} ({c.mode.value}) {c.title or ''}".strip(), f"{base_url}/s/{c.slug}")
        for c in campaigns
    ]
