"""Least privilege on PostgreSQL: the role the app runs as reads and writes rows, owns nothing.

The database owner (the operator's DATABASE_URL for `survey db upgrade`) owns every table,
trigger and function. The app role made by `survey db create-app-role` may connect, use
schema public, SELECT/INSERT/UPDATE/DELETE rows of the ordinary tables and use their
sequences, and nothing else: no CREATE in the schema, no TRUNCATE, no DROP or ALTER (only an
owner may), no trigger changes. History is insert-only for it (HISTORY_TABLES): it deletes
history only through the owner's SECURITY DEFINER functions of migration 0011 (FUNCTIONS).
Migration 0011 says why each function is safe to hand it.

This module is the one place that knows these lists. `grant_statements` rebuilds the role's
rights from them on every run (idempotent), over the tables that exist now; default
privileges give a table a later migration adds row rights at once, and `survey db upgrade`
re-runs the grants for APP_DATABASE_ROLE when set, so a new history table listed here loses
UPDATE/DELETE in the same command that creates it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

# Append-only for the app: it inserts and reads rows, never updates or deletes them. The
# triggers of migrations 0002, 0004 and 0009 refuse it too. reporting_revision_facts is
# filled by the owner's trigger function on revision insert (0006, 0011); the app inserts
# only the anonymous copies an erasure keeps (0012).
HISTORY_TABLES = ("audit_entry", "living_revision", "reporting_revision_facts")
# No rights at all: a permit there would let its writer delete history (migration 0009).
OWNER_ONLY_TABLES = ("history_permit",)
# Read only: the schema revision, written by migrations, checked by /readyz.
READ_ONLY_TABLES = ("alembic_version",)
# The owner's SECURITY DEFINER functions the app calls (migration 0011).
FUNCTIONS = ("heltid_purge_audit(integer)", "heltid_erase_history(integer)")
ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


class PrivilegeError(RuntimeError):
    """The role cannot be made least-privileged: the message says why."""


@dataclass(frozen=True)
class Login:
    """May the role log in (None: a new role may, an existing one stays as it is), and its
    password (None: none for a new role, unchanged for an existing one)."""

    allowed: bool | None = None
    password: str | None = None


def _quote(connection: Connection, name: str) -> str:
    return connection.execute(text("SELECT quote_ident(:name)"), {"name": name}).scalar_one()


def _relations(connection: Connection, kinds: tuple[str, ...]) -> list[str]:
    return list(
        connection.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = ANY(:kinds) ORDER BY c.relname"
            ),
            {"kinds": list(kinds)},
        ).scalars()
    )


def _existing_functions(connection: Connection) -> list[str]:
    return [
        function
        for function in FUNCTIONS
        if connection.execute(
            text("SELECT to_regprocedure(:f) IS NOT NULL"), {"f": f"public.{function}"}
        ).scalar_one()
    ]


def role_statements(connection: Connection, role: str, login: Login | None) -> list[str]:
    """CREATE ROLE, or ALTER ROLE when log-in or password are to change: none for an
    existing role otherwise, so an owner without CREATEROLE can re-grant a role a superuser
    made. `login` None: the role must exist (the re-grant after `survey db upgrade`)."""
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if not exists and login is None:
        raise PrivilegeError(f"no role {role}: run `survey db create-app-role {role}` first")
    login = login or Login()
    attributes = []
    if exists and login.allowed is not None:
        attributes.append("LOGIN" if login.allowed else "NOLOGIN")
    elif not exists:
        attributes.append("NOLOGIN" if login.allowed is False else "LOGIN")
    if login.password is not None:
        literal = connection.execute(
            text("SELECT quote_literal(:p)"), {"p": login.password}
        ).scalar_one()
        attributes.append(f"PASSWORD {literal}")
    if exists and not attributes:
        return []
    verb = "ALTER" if exists else "CREATE"
    return [f"{verb} ROLE {_quote(connection, role)} {' '.join(attributes)}"]


def grant_statements(connection: Connection, role: str) -> list[str]:
    """The statements that give `role` exactly its rights in the current database, taking
    away whatever else it had on the tables, sequences and functions here."""
    quoted = _quote(connection, role)
    database = _quote(connection, connection.execute(text("SELECT current_database()")).scalar())
    tables = _relations(connection, ("r", "p"))
    views = _relations(connection, ("v", "m"))
    statements = [
        f"GRANT CONNECT ON DATABASE {database} TO {quoted}",
        # PostgreSQL 15 no longer lets PUBLIC create in schema public; older clusters and
        # databases upgraded from them still do.
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA public FROM {quoted}",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ]
    for table in tables:
        if table in OWNER_ONLY_TABLES:
            continue
        if table in HISTORY_TABLES:
            rights = "SELECT, INSERT"
        elif table in READ_ONLY_TABLES:
            rights = "SELECT"
        else:
            rights = ROW_PRIVILEGES
        statements.append(f"GRANT {rights} ON {_quote(connection, table)} TO {quoted}")
    for view in views:
        statements.append(f"GRANT SELECT ON {_quote(connection, view)} TO {quoted}")
    for function in _existing_functions(connection):
        statements.append(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
        statements.append(f"GRANT EXECUTE ON FUNCTION {function} TO {quoted}")
    # Tables and sequences a later migration adds (as the same owner) get row rights at once.
    statements += [
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {ROW_PRIVILEGES} ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
    ]
    return statements


def check_role(connection: Connection, role: str) -> None:
    """Refuse to turn the owner, a privileged role or a role owning tables into the app
    role."""
    current = connection.execute(text("SELECT current_user")).scalar_one()
    if role == current:
        raise PrivilegeError(f"{role} is the role running this command (the owner)")
    row = connection.execute(
        text(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls "
            "FROM pg_roles WHERE rolname = :role"
        ),
        {"role": role},
    ).first()
    if row is not None and row[0]:
        raise PrivilegeError(
            f"{role} is a superuser or may create roles or databases, replicate or bypass "
            "row security; the app role must be a plain role"
        )
    owned = connection.execute(
        text(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = :role"
        ),
        {"role": role},
    ).scalar_one()
    if owned:
        raise PrivilegeError(f"{role} owns {owned} relations here; an app role must own none")


def apply(
    connection: Connection, role: str, login: Login | None, *, execute: bool = True
) -> list[str]:
    """Create or update `role` and give it exactly its rights; return the SQL (run unless
    `execute` is false)."""
    if connection.dialect.name != "postgresql":
        raise PrivilegeError("database roles exist on PostgreSQL only")
    check_role(connection, role)
    statements = role_statements(connection, role, login)
    if execute:  # the role must exist before the grants are worked out
        for statement in statements:
            connection.exec_driver_sql(statement)
    grants = grant_statements(connection, role)
    if execute:
        for statement in grants:
            connection.exec_driver_sql(statement)
    return statements + grants
