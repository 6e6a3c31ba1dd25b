"""Configuration defaults. The instance config (instance/config.py) and the
environment (DATABASE_URL, SECRET_KEY, BASE_URL) override them; tests pass a mapping."""

from __future__ import annotations

import os

from reports.catalogs import TRANSLATIONS_DIR
from survey.engine.shipped import QUESTIONNAIRES_DIR


class ConfigurationError(RuntimeError):
    """The configuration cannot run: the message says what to set."""


class DefaultConfig:
    # "production" (wsgi.py's default: gunicorn behind nginx) or "development" (`survey
    # serve`, tests). Production refuses to start without SECRET_KEY from the environment.
    SURVEY_ENV = "development"
    SECRET_KEY: str | None = None  # development: generated into the instance folder
    SQLALCHEMY_DATABASE_URI: str | None = None  # default: SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # PostgreSQL: the least-privileged role the app runs as (`survey db create-app-role`).
    # Set where `survey db upgrade` runs (as the owner), it re-grants that role's rights.
    APP_DATABASE_ROLE: str | None = None
    QUESTIONNAIRE_DIR = str(QUESTIONNAIRES_DIR)
    BASE_URL = "http://localhost:5000"
    LANGUAGES = ("nb", "nn", "en")
    BABEL_DEFAULT_LOCALE = "nb"
    BABEL_DEFAULT_TIMEZONE = "Europe/Oslo"  # times shown to people; stored in UTC
    BABEL_TRANSLATION_DIRECTORIES = str(TRANSLATIONS_DIR)  # the reports use the same catalogs
    # Answers are short; a page post is a few KB. Anything much larger is not a respondent.
    MAX_CONTENT_LENGTH = 256 * 1024
    MAX_FORM_MEMORY_SIZE = 256 * 1024
    # Roster and unit files from HR systems are larger; only the admin import pages take them.
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = None  # a break can be long; the token is bound to the session anyway
    TEMPLATES_AUTO_RELOAD = False

    # Accounts
    SESSION_IDLE_MINUTES = 30
    SESSION_MAX_HOURS = 12  # a session ends after this however busy it is
    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto (0 = none). Without
    # it every user shares the proxy's address and the per-address limits become global.
    PROXY_COUNT = 0
    LOGIN_LINK_DAYS = 14  # passwordless links for employees
    PASSWORD_RESET_HOURS = 2
    LOCKOUT_FREE_ATTEMPTS = 5
    LOCKOUT_BASE_SECONDS = 60
    LOCKOUT_MAX_SECONDS = 24 * 3600
    ARGON2_PARAMETERS: dict | None = None  # None: argon2-cffi's recommended (~64 MiB, t=3)
    LOGIN_RATE_LIMIT = "60 per minute"  # per address, on top of the per-account lock-out
    # Rate-limit counters: memory:// counts per process. With several workers or app servers
    # use Redis (redis://127.0.0.1:6379), shared by all, each deployment under its own prefix.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "heltid"
    # Redis unreachable: the limiter logs it and counts in each process's memory until Redis
    # answers again (survey/extensions.py), so log-in stays possible and the per-account
    # lock-out (in the database) holds; any other limiter error is logged, not shown.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS: dict = {"socket_connect_timeout": 1, "socket_timeout": 1}
    # /readyz: the outbox is stuck when a message has waited this long past due and nothing
    # was sent meanwhile (`survey outbox send` is not running, or cannot reach its server).
    READYZ_OUTBOX_STUCK_MINUTES = 30
    AUDIT_RETENTION_DAYS = 730
    # Retention (`survey maintenance`, nightly; docs/operations.md § Retention). Days; 0 keeps.
    DRAFT_RETENTION_DAYS = 90  # unsubmitted answers untouched this long, campaign closed
    INVITATION_RETENTION_DAYS = 90  # personal links scrubbed this long after a campaign closed
    OUTBOX_RETENTION_DAYS = 90  # addresses and texts of sent or failed messages
    LEFT_PERSON_RETENTION_DAYS = 365  # people the roster no longer lists are erased after this
    SMALL_GROUP_MINIMUM = 5  # aggregate cells describing fewer people are suppressed
    # The accessibility statement (/tilgjengelighet): where users report barriers, and the day
    # the solution was last checked (update it when you have checked it again).
    ACCESSIBILITY_CONTACT: str | None = None  # an e-mail address, e.g. postmottak@kommune.no
    ACCESSIBILITY_CHECKED = "2026-12-02"

    # E-mail for login and reset links; without MAIL_SERVER links are shown to admins only.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "heltid@localhost"

    # The outbox (`survey outbox send`): invitations, reminders and bookings by e-mail and SMS.
    MAIL_RATE_PER_MINUTE = 60  # e-mails and SMS together, per sender; 0: no limit
    OUTBOX_BATCH = 500  # messages one run of the sender takes at most
    OUTBOX_MAX_ATTEMPTS = 8  # temporary failures retried with backoff; then «failed»
    OUTBOX_FLUSH_AFTER_REQUEST = True  # also send a few right after a web action that queued some
    # SMS: None (no SMS; those without e-mail get a letter), "console" (development: the text
    # goes to the log) or "http" (a JSON-over-HTTPS gateway, as Norwegian providers offer).
    SMS_PROVIDER: str | None = None
    SMS_GATEWAY_URL: str | None = None
    SMS_GATEWAY_TOKEN: str | None = None  # sent as «Authorization: Bearer …»
    # The request body; {to}, {sender}, {text} and {reference} are filled in, JSON-escaped.
    SMS_BODY_TEMPLATE = (
        '{"to": "{to}", "from": "{sender}", "message": "{text}", "ref": "{reference}"}'
    )
    SMS_SENDER = "Kommunen"  # up to 11 letters, shown as the sender on the phone
    # Shown in letters and messages: where an employee gets help (a phone number, a desk).
    HELP_CONTACT: str | None = None
    # REPORT_AUTHOR (not set by default): the municipality, e.g. "Songdalen kommune": the
    # heading of the letters and the author of the PDF reports ("Heltid" when not set).

    # OpenID Connect (Microsoft Entra ID, ID-porten): set OIDC_METADATA_URL to enable.
    OIDC_METADATA_URL: str | None = None
    OIDC_CLIENT_ID: str | None = None
    OIDC_CLIENT_SECRET: str | None = None
    OIDC_SCOPE = "openid email profile"
    OIDC_CLAIM = "email"  # the ID-token claim that identifies the person ...
    OIDC_PERSON_FIELD = "email"  # ... matched against this field: email, ansattnummer, oidc_subject
    OIDC_LABEL = "Microsoft Entra ID"

    # Logging (survey/logs.py): "text" lines for people, "json" lines for a log collector.
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"


def normalise_database_url(url: str) -> str:
    """Accept the postgres:// and postgresql:// forms hosting platforms hand out; use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def from_environment() -> dict:
    values: dict = {}
    if os.environ.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    for key in (
        "SURVEY_ENV",
        "APP_DATABASE_ROLE",
        "SECRET_KEY",
        "BASE_URL",
        "QUESTIONNAIRE_DIR",
        "MAIL_SERVER",
        "MAIL_USERNAME",
        "MAIL_PASSWORD",
        "MAIL_FROM",
        "SMS_PROVIDER",
        "SMS_GATEWAY_URL",
        "SMS_GATEWAY_TOKEN",
        "SMS_BODY_TEMPLATE",
        "SMS_SENDER",
        "HELP_CONTACT",
        "REPORT_AUTHOR",
        "OIDC_METADATA_URL",
        "OIDC_CLIENT_ID",
        "OIDC_CLIENT_SECRET",
        "OIDC_CLAIM",
        "OIDC_PERSON_FIELD",
        "OIDC_LABEL",
        "RATELIMIT_STORAGE_URI",
        "RATELIMIT_KEY_PREFIX",
        "LOGIN_RATE_LIMIT",
        "ACCESSIBILITY_CONTACT",
        "ACCESSIBILITY_CHECKED",
        "LOG_FORMAT",
        "LOG_LEVEL",
    ):
        if os.environ.get(key):
            values[key] = os.environ[key]
    for key in (
        "MAIL_PORT",
        "MAIL_RATE_PER_MINUTE",
        "OUTBOX_BATCH",
        "OUTBOX_MAX_ATTEMPTS",
        "READYZ_OUTBOX_STUCK_MINUTES",
        "AUDIT_RETENTION_DAYS",
        "DRAFT_RETENTION_DAYS",
        "INVITATION_RETENTION_DAYS",
        "OUTBOX_RETENTION_DAYS",
        "LEFT_PERSON_RETENTION_DAYS",
    ):
        if os.environ.get(key, "").isdigit():
            values[key] = int(os.environ[key])
    if os.environ.get("PROXY_COUNT", "").isdigit():
        values["PROXY_COUNT"] = int(os.environ["PROXY_COUNT"])
    if os.environ.get("MAIL_USE_TLS", "").lower() in ("0", "false", "no"):
        values["MAIL_USE_TLS"] = False  # a relay on the same host or network, without STARTTLS
    if os.environ.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes"):
        values["SESSION_COOKIE_SECURE"] = True
    return values
