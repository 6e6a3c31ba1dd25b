"""Fixtures for the questionnaire pages: a logged-in project leader and the files to upload."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import Respondent, login_as, make_person

DATA = Path(__file__).parent / "data"
STATE_RE = re.compile(r'name="state" value="([^"]+)"')


@pytest.fixture
def leader_id(app):
    return make_person(app, "prosjektleder", email="pl@kommune.no", name="Petra Prosjektleder")


@pytest.fixture
def leader(app, client, leader_id):
    """A browser logged in as the project leader; `leader.post` adds the page's CSRF token."""
    login_as(client, app, leader_id)
    return Respondent(client)


def upload(browser: Respondent, filename: str, data: bytes, **fields):
    """Post `data` as the upload form would, with the form's CSRF token."""
    browser.get("/skjema/last-opp")
    return browser.post(
        "/skjema/last-opp",
        {"file": (io.BytesIO(data), filename), **fields},
        content_type="multipart/form-data",
    )


def upload_file(browser: Respondent, name: str, **fields):
    return upload(browser, name, (DATA / name).read_bytes(), **fields)


def state_of(html: str) -> str:
    match = STATE_RE.search(html)
    assert match, "no preview state on the page"
    return match.group(1)


def count_rows(app, model) -> int:
    from survey.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def visible_text(html: str) -> str:
    """The page's text without tags and scripts, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    text = (
        text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&quot;", '"')
    )
    return re.sub(r"\s+", " ", text)
