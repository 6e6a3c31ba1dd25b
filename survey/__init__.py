"""The heltid survey application: Norwegian municipalities mapping part time in health and care."""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Collection
from pathlib import Path
from typing import Any

from flask import Flask

from survey import config as config_module
from survey.db import UnitOfWorkApp
from survey.extensions import (
    SignedCookieSessions,
    babel,
    csrf,
    db,
    limit_only_decorated_routes,
    limiter,
    login_manager,
    warn_if_limits_are_per_process,
)
from survey.i18n import select_locale

# The modules whose init_app adds each top-level CLI command. A command line names one
# command, and a run of `survey report` need not import the roster's, the outbox's or the
# committee's commands (and what they import): `create_app(commands=...)` registers only the
# modules it names. tests/test_cli.py checks that this table is what the modules register.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "survey.commands": ("questionnaires", "db", "campaign", "serve", "users", "audit"),
    "survey.backup.commands": ("backup", "restore"),
    "survey.roster.commands": ("roster", "units"),
    "survey.living.commands": ("classify", "export", "mappings"),
    "survey.outbox.commands": ("outbox",),
    "survey.reporting.commands": ("report",),
    "survey.committee.commands": ("vacancy", "committee"),
    "survey.retention.commands": ("maintenance",),
}


def create_app(
    test_config: dict[str, Any] | None = None,
    *,
    web: bool = True,
    commands: Collection[str] | None = None,
) -> Flask:
    """The app. `web=False` leaves out the pages (blueprints and their imports, a third of
    the start-up): for CLI commands that serve nothing, such as `survey report` and the
    timers' commands, which no view code reaches (they build links from BASE_URL).
    `commands`: the top-level CLI commands to register (None: all); the `survey` script
    names the one it runs."""
    app = UnitOfWorkApp(__name__, instance_relative_config=True)
    app.session_interface = SignedCookieSessions()
    app.config.from_object(config_module.DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config_module.from_environment())
    if test_config is not None:
        app.config.update(test_config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'survey.sqlite3'}"
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A ping before every checkout guards against dropped server connections; a file
        # database has none, and the ping would be one more statement on every request.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SECRET_KEY"):
        if app.config["SURVEY_ENV"] == "production":
            raise config_module.ConfigurationError(
                "SECRET_KEY is not set. In production (SURVEY_ENV=production, the default of "
                "wsgi.py) the key must come from the environment, the same on every app "
                "server, e.g. SECRET_KEY=$(python3 -c 'import secrets; "
                "print(secrets.token_hex(32))') in the service's environment file "
                "(deploy/heltid.env)."
            )
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    db.init_app(app)
    # Every table, so relationships between features' models resolve whichever features a
    # command imports.
    from survey import models  # noqa: F401

    if web:
        _allow_large_uploads(app)  # before CSRFProtect, which reads the form
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    limiter.init_app(app)

    from survey import errors, logs, navigation, security, templating
    from survey.access import guard

    logs.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    navigation.init_app(app)
    errors.init_app(app)
    guard.init_app(app)

    if web:
        _register_pages(app)
        # Only pages are rate-limited: a timer's CLI run has nothing to warn about.
        warn_if_limits_are_per_process(app)  # with the log handler in place

    if web or commands is None:
        # An identified campaign's answers become a living-document revision on submit.
        # Only the pages submit answers; a CLI run of one named command never does.
        from survey.conversations import campaign_answers

        campaign_answers.init_app(app)

    wanted = None if commands is None else frozenset(commands)
    for module_name, names in COMMAND_MODULES.items():
        if wanted is None or not wanted.isdisjoint(names):
            importlib.import_module(module_name).init_app(app)
    limit_only_decorated_routes(app)
    return app


def _register_pages(app: Flask) -> None:
    from survey.accounts import oidc  # adds the OpenID Connect routes to the log-in pages

    oidc.init_app(app)
    from survey.accounts.views import bp as auth_bp
    from survey.admin import roster_views  # noqa: F401  (adds the import pages to admin_bp)
    from survey.admin.views import bp as admin_bp
    from survey.answering.views import bp as answering_bp
    from survey.authoring.views import bp as questionnaires_bp
    from survey.campaigns.rates_views import bp as rates_bp
    from survey.campaigns.views import bp as campaigns_bp
    from survey.committee.views import bp as committee_bp
    from survey.conversations.views import bp as conversations_bp
    from survey.conversations.wishes import bp as wishes_bp
    from survey.followup.views import bp as followup_bp
    from survey.health.views import bp as health_bp
    from survey.living.classification import bp as classification_bp
    from survey.living.views import bp as living_bp
    from survey.main.views import bp as main_bp
    from survey.me.views import bp as me_bp
    from survey.overview.views import bp as overview_bp
    from survey.people.views import bp as people_bp
    from survey.reporting.views import bp as reporting_bp
    from survey.results.views import bp as results_bp

    for blueprint in (
        health_bp,
        main_bp,
        overview_bp,
        answering_bp,
        auth_bp,
        me_bp,
        wishes_bp,
        people_bp,
        conversations_bp,
        living_bp,
        followup_bp,
        classification_bp,
        results_bp,
        reporting_bp,
        committee_bp,
        campaigns_bp,
        rates_bp,
        questionnaires_bp,
        admin_bp,
    ):
        app.register_blueprint(blueprint)


def _allow_large_uploads(app: Flask) -> None:
    """A larger request size for the file-import pages than for everything else."""
    from flask import request

    from survey.admin.roster_views import KINDS as import_endpoints

    @app.before_request
    def larger_limit_for_imports():
        if request.endpoint in import_endpoints or request.endpoint == "questionnaires.upload":
            request.max_content_length = app.config["UPLOAD_MAX_BYTES"]
            request.max_form_memory_size = app.config["UPLOAD_MAX_BYTES"]


def _instance_secret_key(instance: Path) -> str:
    """A random key kept in the instance folder, so a development install is secure by
    default. Never in production: a second app server would make a key of its own."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
