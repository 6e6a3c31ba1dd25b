"""The app runs on PostgreSQL as a role that reads and writes rows, owns nothing and cannot
delete history (survey/privileges.py, migration 0011). Every test here connects as that
role, the one tests/conftest.py makes with `survey db create-app-role` in the template."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.answering.helpers import WANTS_MORE, answer_all, invite, make_campaign
from tests.conftest import Respondent, login_as, make_person

REFUSED = "permission denied|must be owner"


@pytest.fixture
def database_url(postgres_url):
    """PostgreSQL only: roles are what these tests are about. `app` connects as the role."""
    return postgres_url


@pytest.fixture
def as_app_role(app_role_url):
    engine = create_engine(app_role_url)
    yield engine
    engine.dispose()


@pytest.fixture
def as_owner(database_url):
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TRIGGER audit_entry_no_delete ON audit_entry",
        "DROP TRIGGER living_revision_no_update ON living_revision",
        "DROP TABLE person",
        "ALTER TABLE person ADD COLUMN note text",
        "ALTER TABLE audit_entry DISABLE TRIGGER ALL",
        "TRUNCATE audit_entry",
        "TRUNCATE person CASCADE",
        "CREATE TABLE mine (id integer)",
        "CREATE FUNCTION heltid_purge_audit(keep_days integer) RETURNS integer "
        "LANGUAGE sql AS 'SELECT 0'",
        "CREATE OR REPLACE FUNCTION heltid_purge_audit(keep_days integer) RETURNS integer "
        "LANGUAGE sql AS 'SELECT 0'",
        "DELETE FROM audit_entry",
        "UPDATE audit_entry SET action = 'nothing'",
        "DELETE FROM living_revision",
        "UPDATE living_revision SET note = 'changed'",
        "DELETE FROM reporting_revision_facts",
        "UPDATE reporting_revision_facts SET stilling = 100",
        "INSERT INTO history_permit (kind, audit_before) VALUES ('audit_purge', now())",
        "SELECT count(*) FROM history_permit",
        "UPDATE alembic_version SET version_num = '0001'",
    ],
)
def test_the_app_role_cannot_change_the_schema_or_history(as_app_role, statement):
    with as_app_role.connect() as connection, pytest.raises(DBAPIError, match=REFUSED):
        connection.execute(text(statement))


def test_the_app_role_owns_nothing_and_only_it_may_run_the_history_functions(as_app_role, app_role):
    role, _ = app_role
    with as_app_role.connect() as connection:
        owned = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE tableowner = current_user")
        ).all()
        assert owned == []
        assert connection.scalar(text("SELECT current_user")) == role
        assert not connection.scalar(
            text(
                "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles "
                "WHERE rolname = current_user"
            )
        )
        # PUBLIC may not call them: only roles create-app-role granted EXECUTE to.
        acls = connection.execute(
            text(
                "SELECT proname, proacl::text[], prosecdef FROM pg_proc "
                "WHERE proname IN ('heltid_purge_audit', 'heltid_erase_history')"
            )
        ).all()
    assert len(acls) == 2
    for name, acl, security_definer in acls:
        assert security_definer, name
        assert not [entry for entry in acl if entry.startswith("=")], (name, acl)
        assert [entry for entry in acl if entry.startswith(f"{role}=X/")], (name, acl)


def _audit_entry(connection, days_ago: int) -> None:
    connection.execute(
        text(
            "INSERT INTO audit_entry (at, action, detail) "
            "VALUES (now() - make_interval(days => :days), 'read', '{}')"
        ),
        {"days": days_ago},
    )


def test_the_purge_deletes_only_what_is_past_the_retention(app, runner, as_app_role):
    from survey.audit.services import purge
    from survey.db import unit_of_work

    with as_app_role.begin() as connection:
        for days_ago in (800, 40, 29, 0):
            _audit_entry(connection, days_ago)
    app.config["AUDIT_RETENTION_DAYS"] = 30
    result = runner.invoke(args=["audit", "purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 2 entries older than 30 days" in result.output
    with as_app_role.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM audit_entry")) == 2
        # Called directly, the function still keeps its floor of 30 days.
        with pytest.raises(DBAPIError, match="kept at least 30 days"):
            connection.execute(text("SELECT heltid_purge_audit(29)"))
    with app.app_context(), pytest.raises(ValueError, match="at least 30 days"), unit_of_work():
        purge(1)


def test_the_app_role_answers_writes_revisions_and_erases_a_person(app, client, as_app_role):
    """The flows that write rows, history among them, work as the app role."""
    from survey.accounts.models import Person
    from survey.extensions import db
    from survey.living.models import Source
    from survey.living.services import current_revision, document_for, save_revision

    admin_id = make_person(app, "admin", email="hanne@kommune.no")
    leader_id = make_person(app, "prosjektleder", email="pia@kommune.no")
    employee_id = make_person(app, "ansatt", email="kari@kommune.no", name="Kari Nordmann")
    colleague_id = make_person(app, "ansatt", email="ola@kommune.no")

    campaign_id, slug = make_campaign(app)
    token = invite(app, campaign_id, employee_id)
    receipt = answer_all(Respondent(app.test_client()), token, slug, WANTS_MORE)
    assert receipt

    with app.app_context():
        for person_id in (employee_id, colleague_id):
            document = document_for(db.session.get(Person, person_id))
            for percent in (50, 60):
                current = current_revision(document)
                save_revision(
                    document,
                    {"stillingsprosent": percent},
                    base=current.number if current else 0,
                    author=db.session.get(Person, leader_id),
                    author_role="prosjektleder",
                    source=Source.CONVERSATION,
                )
        db.session.commit()

    def counts():
        with as_app_role.connect() as connection:
            return [
                connection.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in (
                    "living_revision",
                    # An erasure keeps anonymous copies (no person) of the facts (0012).
                    "reporting_revision_facts WHERE person_id IS NOT NULL",
                    "living_document",
                )
            ]

    assert counts() == [5, 5, 2]  # the answer made the employee's first revision

    admin = Respondent(client)
    login_as(client, app, admin_id)
    for person_id, email in ((employee_id, "kari@kommune.no"), (leader_id, "pia@kommune.no")):
        admin.get(f"/admin/brukere/{person_id}")
        assert admin.last.status_code == 200
        admin.post(f"/admin/brukere/{person_id}/slett", {"confirmation": email})
        assert admin.last.status_code == 302, admin.html
    # The employee's document and its history went; the colleague's stays, its author unset.
    assert counts() == [2, 2, 1]
    with as_app_role.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM person")) == 2
        assert (
            connection.scalar(
                text("SELECT count(*) FROM living_revision WHERE author_id IS NOT NULL")
            )
            == 0
        )
        assert (
            connection.scalar(text("SELECT count(*) FROM audit_entry WHERE action = 'erase'")) == 2
        )
        assert connection.scalar(text("SELECT count(*) FROM response")) == 1


def _privilege(owner, role: str, table: str, privilege: str) -> bool:
    with owner.connect() as connection:
        return connection.scalar(
            text("SELECT has_table_privilege(:role, :table, :privilege)"),
            {"role": role, "table": table, "privilege": privilege},
        )


def test_create_app_role_is_idempotent_and_upgrade_restores_the_grants(
    owner_app, as_owner, monkeypatch
):
    """Run twice, it ends where it began; drifted grants are taken back by the next
    `survey db upgrade` when APP_DATABASE_ROLE names the role; new tables get row rights."""
    role = f"heltid_test_{uuid.uuid4().hex[:8]}"
    runner = owner_app.test_cli_runner()
    monkeypatch.setenv("HELTID_ROLE_PASSWORD", "a password: with 'quotes' and %s")
    try:
        printed = runner.invoke(args=["db", "create-app-role", role, "--print-sql"])
        assert printed.exit_code == 0, printed.output
        assert f"CREATE ROLE {role} " in printed.output
        assert f"GRANT SELECT, INSERT ON audit_entry TO {role};" in printed.output
        assert not _role_exists(as_owner, role)  # --print-sql changes nothing

        for _ in range(2):
            result = runner.invoke(
                args=["db", "create-app-role", role, "--password-env", "HELTID_ROLE_PASSWORD"]
            )
            assert result.exit_code == 0, result.output
            assert _privilege(as_owner, role, "person", "DELETE")
            assert not _privilege(as_owner, role, "audit_entry", "DELETE")
            assert not _privilege(as_owner, role, "history_permit", "SELECT")

        # An existing role is not altered (no CREATEROLE needed) unless log-in is asked for.
        again = runner.invoke(args=["db", "create-app-role", role, "--print-sql"])
        assert " ROLE " not in again.output, again.output
        with as_owner.connect() as connection:
            connection.execute(text(f"GRANT DELETE, TRUNCATE ON audit_entry TO {role}"))
            connection.execute(text("CREATE TABLE added_later (id serial primary key)"))
        assert _privilege(as_owner, role, "added_later", "INSERT")  # default privileges
        owner_app.config["APP_DATABASE_ROLE"] = role
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert not _privilege(as_owner, role, "audit_entry", "DELETE")
        assert not _privilege(as_owner, role, "audit_entry", "TRUNCATE")
        assert _privilege(as_owner, role, "audit_entry", "INSERT")

        refused = runner.invoke(args=["db", "create-app-role", "postgres"])
        assert refused.exit_code != 0
        assert "owner" in refused.output or "superuser" in refused.output
    finally:
        with as_owner.connect() as connection:
            if _role_exists(as_owner, role):
                connection.execute(text(f"DROP OWNED BY {role}"))
                connection.execute(text(f"DROP ROLE {role}"))


def _role_exists(owner, role: str) -> bool:
    with owner.connect() as connection:
        return bool(
            connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        )


def test_a_plain_owner_migrates_and_the_app_role_works_through_its_functions(
    postgres_admin, tmp_path
):
    """As in production: the owner is no superuser and may not create roles (a superuser
    made the app role), so the SECURITY DEFINER functions run with the owner's rights only."""
    from survey import create_app
    from tests.conftest import _database_url, _test_config

    suffix = uuid.uuid4().hex[:8]
    owner, role, database = f"heltid_owner_{suffix}", f"heltid_app_{suffix}", f"heltid_{suffix}"
    with postgres_admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {owner} LOGIN PASSWORD 'owner'"))
        connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'app'"))
        connection.execute(text(f"CREATE DATABASE {database} OWNER {owner}"))
    url = make_url(_database_url(postgres_admin, database))
    owner_url = url.set(username=owner, password="owner").render_as_string(hide_password=False)
    role_url = url.set(username=role, password="app").render_as_string(hide_password=False)
    try:
        owner_app = create_app(_test_config(owner_url, tmp_path))
        for args in (["db", "upgrade"], ["db", "create-app-role", role]):
            result = owner_app.test_cli_runner().invoke(args=args)
            assert result.exit_code == 0, result.output
        with owner_app.app_context():
            owner_app.extensions["sqlalchemy"].engine.dispose()

        app = create_app(_test_config(role_url, tmp_path))
        employee_id = make_person(app, "ansatt", email="kari@kommune.no")
        with app.app_context():
            from survey.accounts.models import Person
            from survey.admin.erasure import erase_person
            from survey.audit.services import purge
            from survey.extensions import db
            from survey.living.models import Source
            from survey.living.services import document_for, save_revision

            employee = db.session.get(Person, employee_id)
            save_revision(
                document_for(employee),
                {"stillingsprosent": 50},
                base=0,
                author=employee,
                author_role="ansatt",
                source=Source.CONVERSATION,
            )
            _audit_entry(db.session, 400)
            db.session.commit()
            assert purge(365) == 1
            erase_person(db.session.get(Person, employee_id), actor_id=None)
            db.session.commit()
            for table in ("living_revision", "living_document", "person"):
                assert db.session.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
            db.session.remove()
            db.engine.dispose()
    finally:
        with postgres_admin.connect() as connection:  # the database first: grants are in it
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
            connection.execute(text(f"DROP ROLE IF EXISTS {owner}"))
