"""Shared fixtures: an app on a fresh, migrated database per test, for SQLite and PostgreSQL.

The schema and the questionnaires are built once per session (per xdist worker) into a
template: a file that each SQLite test copies, a database that each PostgreSQL test clones
with CREATE DATABASE … TEMPLATE (and drops afterwards). Every test still gets a database of
its own.

PostgreSQL comes from TEST_DATABASE_URL (scripts/test.sh sets it, starting a throwaway
cluster when none runs). Without a server the PostgreSQL variants are skipped on a laptop,
but fail under CI=true."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from survey import create_app
from survey.config import normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _migrate(url: str) -> None:
    """Migrate the database at `url` and store the questionnaires, as `survey serve` does."""
    app = create_app(_test_config(url, instance=None))
    with app.app_context():
        from survey.extensions import db
        from survey.migrate import upgrade
        from survey.questionnaires.services import sync_directory

        upgrade()
        sync_directory(app.config["QUESTIONNAIRE_DIR"])
        db.session.remove()
        db.engine.dispose()


def _test_config(url: str, instance: Path | None) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "QUESTIONNAIRE_DIR": str(ROOT / "questionnaires"),
        "SERVER_NAME": None,
        # Argon2id at the smallest cost: hundreds of people are given passwords and log in.
        # tests/accounts/test_password_hashing.py checks the production cost.
        "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
    }
    return config


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_admin():
    """An AUTOCOMMIT engine on the server's maintenance database, which creates and drops
    the test databases."""
    admin_url = normalise_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL))
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect():
            pass
    except Exception as error:  # noqa: BLE001 - any failure to connect means "no server"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but not reachable: {error}")
        pytest.skip(f"no PostgreSQL server: {error}")
    yield admin
    admin.dispose()


def _database_url(admin, name: str) -> str:
    return make_url(admin.url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app_role(postgres_admin) -> tuple[str, str]:
    """(name, password) of the least-privileged role the PostgreSQL `app` runs as, made by
    `survey db create-app-role` in the template. Roles are cluster-wide: one per session
    (per xdist worker), dropped when the databases holding its grants are gone."""
    name = f"heltid_app_{uuid.uuid4().hex[:10]}"
    password = uuid.uuid4().hex
    yield name, password
    with postgres_admin.connect() as connection:
        connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))


@pytest.fixture(scope="session")
def postgres_template(postgres_admin, app_role) -> str:
    """The name of a migrated database holding the questionnaires, migrated by the owner,
    with the app role's grants (CREATE DATABASE … TEMPLATE copies them); tests clone it."""
    name = f"survey_template_{uuid.uuid4().hex[:10]}"
    with postgres_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = _database_url(postgres_admin, name)
    _migrate(url)
    _create_app_role(url, *app_role)
    yield name
    with postgres_admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _create_app_role(url: str, role: str, password: str) -> None:
    app = create_app(_test_config(url, instance=None))
    result = app.test_cli_runner().invoke(
        args=["db", "create-app-role", role, "--password-env", "APP_ROLE_PASSWORD"],
        env={"APP_ROLE_PASSWORD": password},
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        from survey.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_dropper(postgres_admin, postgres_template):
    """Drops the tests' databases in background threads: DROP DATABASE waits for a
    checkpoint, which takes seconds while other databases are busy. Several drops waiting at
    once share one checkpoint; with a single thread they fell behind, and the session's end
    waited ~11 s for 70 of them. All are gone, and any failure raised, when the session ends
    (before the template is dropped)."""
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="drop-database")
    drops = []

    def drop(name: str) -> None:
        with postgres_admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    yield lambda name: drops.append(executor.submit(drop, name))
    executor.shutdown(wait=True)
    for done in drops:
        done.result()


@pytest.fixture
def postgres_url(postgres_admin, postgres_template, postgres_dropper):
    """A database of the test's own, cloned from the template. WAL_LOG copies the few
    megabytes block by block without the checkpoint FILE_COPY needs: ~50 ms."""
    name = f"survey_test_{uuid.uuid4().hex[:10]}"
    with postgres_admin.connect() as connection:
        connection.execute(
            text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}" STRATEGY WAL_LOG')
        )
    yield _database_url(postgres_admin, name)
    postgres_dropper(name)


@pytest.fixture
def app_role_url(postgres_url, app_role) -> str:
    """The test's own PostgreSQL database, as the least-privileged app role."""
    name, password = app_role
    return (
        make_url(postgres_url)
        .set(username=name, password=password)
        .render_as_string(hide_password=False)
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """The test's own database, as its owner (for PostgreSQL; `app` connects as the app
    role, see `app_role_url`)."""
    if request.param == "sqlite":
        path = tmp_path / "survey.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


def _app_on(url: str, tmp_path: Path):
    app = create_app(_test_config(url, tmp_path))
    yield app
    with app.app_context():
        from survey.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(request, database_url, tmp_path):
    """The app on the test's database; on PostgreSQL as the least-privileged role the
    product runs as. A test of what only the owner may do uses `owner_app`."""
    if not database_url.startswith("sqlite"):
        database_url = request.getfixturevalue("app_role_url")
    yield from _app_on(database_url, tmp_path)


@pytest.fixture
def owner_app(database_url, tmp_path):
    """The app connected as the database's owner (the migrating role): for tests of the
    triggers that guard history even against the owner. Override `app` with it in such a
    module: `@pytest.fixture` `def app(owner_app): return owner_app`."""
    yield from _app_on(database_url, tmp_path)


def every_row(url: str) -> list[tuple[str, tuple]]:
    """(table, row) for every row of every table, read as the owner of the database at `url`
    (`database_url`): the app role may not read every table (history_permit)."""
    from survey.models import Base

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [
                (table.name, tuple(row))
                for table in Base.metadata.sorted_tables
                for row in connection.execute(table.select())
            ]
    finally:
        engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SHOWN_RE = re.compile(r'name="shown" value="([^"]*)"')


class Respondent:
    """Drives the answering flow through the test client like a browser without JavaScript."""

    def __init__(self, client):
        self.client = client
        self.last = None

    def get(self, url, **kwargs):
        self.last = self.client.get(url, **kwargs)
        return self.last

    @property
    def html(self) -> str:
        return self.last.get_data(as_text=True)

    def csrf(self) -> str:
        match = CSRF_RE.search(self.html)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def post(self, url, data=None, *, with_csrf=True, follow=False, **kwargs):
        data = dict(data or {})
        if with_csrf and "csrf_token" not in data:
            data["csrf_token"] = self.csrf()
        self.last = self.client.post(url, data=data, follow_redirects=follow, **kwargs)
        return self.last

    def answer_page(self, answers: dict, action: str = "next"):
        """Post the page currently shown with `answers`, as its form would."""
        page_url = self.last.request.path
        shown = SHOWN_RE.search(self.html)
        data = {"action": action, "shown": shown.group(1) if shown else "", **answers}
        return self.post(page_url, data)


@pytest.fixture
def respondent(client):
    return Respondent(client)


# --- people and logging in ----------------------------------------------------------------

STAFF_PASSWORD = "lang nok passordfrase for test"


def make_person(app, *roles, email=None, unit=None, password=STAFF_PASSWORD, name=None):
    """Create a person with `roles` (Role values or names); `unit` is a unit code, created
    when missing. Returns the person's id."""

    from survey.accounts import services
    from survey.accounts.models import Role, Unit
    from survey.extensions import db

    with app.app_context():
        unit_row = None
        if unit is not None:
            unit_row = services.find_unit(unit)
            if unit_row is None:
                unit_row = Unit(code=unit, name=unit.replace("_", " ").title())
                db.session.add(unit_row)
                db.session.flush()
        email = email or f"person{next(_person_numbers)}@example.no"
        person = services.create_person(email, name or email.split("@")[0], unit=unit_row)
        for role in roles:
            services.grant_role(person, Role(role), unit_row)
        if password:
            services.set_password(person, password)
        db.session.commit()
        return person.id


_person_numbers = __import__("itertools").count(1)


def login_as(client, app, person_id):
    """Log a test client in as the person (the session a real log-in makes)."""
    import time

    from survey.accounts.models import Person
    from survey.extensions import db

    with app.app_context():
        epoch = db.session.get(Person, person_id).session_epoch
    with client.session_transaction() as session:
        session["_user_id"] = f"{person_id}:{epoch}"
        session["_fresh"] = True
        session["seen"] = int(time.time())
