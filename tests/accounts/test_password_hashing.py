"""Passwords are hashed at Argon2id's production cost. Every other test runs with the small
cost tests/conftest.py sets (ARGON2_PARAMETERS); this one runs the app as deployed."""

from __future__ import annotations

import pytest

from survey import create_app
from tests.conftest import STAFF_PASSWORD, _test_config, make_person
from tests.security.conftest import english, is_logged_in, log_in, person_state

PRODUCTION_PREFIX = "$argon2id$v=19$m=65536,t=3,p=4$"
TEST_PREFIX = "$argon2id$v=19$m=8,t=1,p=1$"


@pytest.fixture
def production_app(database_url, tmp_path):
    app = create_app(_test_config(database_url, tmp_path) | {"ARGON2_PARAMETERS": None})
    yield app
    with app.app_context():
        from survey.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_production_cost_hashes_and_logs_in(production_app):
    person_id = make_person(production_app, "admin", email="hanne@example.no")
    assert person_state(production_app, person_id)["password_hash"].startswith(PRODUCTION_PREFIX)

    client = english(production_app.test_client())
    assert log_in(client, "hanne@example.no", "feil passord som er langt nok").status_code == 401
    assert log_in(client, "hanne@example.no").status_code == 302
    assert is_logged_in(client)


def test_a_cheaper_hash_is_replaced_at_log_in(app, production_app):
    # Made with the tests' small cost; the app as deployed upgrades it when the password is
    # next typed in.
    person_id = make_person(app, "admin", email="hanne@example.no")
    assert person_state(app, person_id)["password_hash"].startswith(TEST_PREFIX)

    client = english(production_app.test_client())
    assert log_in(client, "hanne@example.no", STAFF_PASSWORD).status_code == 302
    assert person_state(production_app, person_id)["password_hash"].startswith(PRODUCTION_PREFIX)
