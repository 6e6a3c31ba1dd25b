"""The privacy statement's «Hvor lenge vi lagrer» lists the periods `survey maintenance` uses,
from the configuration, in each language; a period set to 0 (keep) is not claimed."""

from __future__ import annotations

import pytest

PERIODS = {
    "nb": ["etter 365 dager", "på 91 dager", "92 dager etter", "etter 93 dager", "etter 730 dager"],
    "nn": ["etter 365 dagar", "på 91 dagar", "92 dagar etter", "etter 93 dagar", "etter 730 dagar"],
    "en": ["after 365 days", "for 91 days", "92 days after", "after 93 days", "after 730 days"],
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a page, no queries
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_privacy_statement_lists_the_retention_periods(app, client, lang):
    app.config.update(
        DRAFT_RETENTION_DAYS=91, INVITATION_RETENTION_DAYS=92, OUTBOX_RETENTION_DAYS=93
    )
    html = client.get("/personvern", headers={"Accept-Language": lang}).get_data(as_text=True)
    for phrase in PERIODS[lang]:
        assert phrase in html, phrase

    app.config.update(LEFT_PERSON_RETENTION_DAYS=0, OUTBOX_RETENTION_DAYS=0)
    html = client.get("/personvern", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert "365" not in html and " 93 " not in html
    assert ("rutiner" if lang == "nb" else "rutinane" if lang == "nn" else "routines") in html
