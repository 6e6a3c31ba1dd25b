"""An OpenID Connect provider running for the session, and apps configured to use it."""

from __future__ import annotations

import pytest

from survey import create_app
from tests.conftest import _test_config
from tests.oidc_provider import OidcProvider


@pytest.fixture(scope="session")
def oidc_server():
    provider = OidcProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(oidc_server):
    oidc_server.reset()
    yield oidc_server
    oidc_server.reset()


@pytest.fixture
def make_oidc_app(database_url, tmp_path, provider):
    """Build an app whose OIDC settings point to the test provider; keyword arguments
    override settings (OIDC_CLAIM="…", OIDC_PERSON_FIELD="…")."""
    made = []

    def make(**overrides):
        config = _test_config(database_url, tmp_path) | {
            "OIDC_METADATA_URL": provider.metadata_url,
            "OIDC_CLIENT_ID": provider.client_id,
            "OIDC_CLIENT_SECRET": provider.client_secret,
            "OIDC_LABEL": "Testleverandør",
            **overrides,
        }
        app = create_app(config)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            from survey.extensions import db

            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def oidc_app(make_oidc_app):
    return make_oidc_app()


@pytest.fixture
def oidc_client(oidc_app):
    return english(oidc_app.test_client())


def english(client):
    """The tests read the English texts; respondents get bokmål unless they ask otherwise."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
