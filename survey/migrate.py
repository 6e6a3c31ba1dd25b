"""Alembic, driven from the app: `survey db upgrade` and `survey serve` migrate the database."""

from __future__ import annotations

from pathlib import Path

from survey.extensions import db

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection=None):
    from alembic.config import Config  # heavy: imported where used, not by every process

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(revision: str = "head") -> None:
    from alembic import command  # heavy: imported where used, not by every process

    with db.engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def make_revision(message: str) -> None:
    from alembic import command  # heavy: imported where used, not by every process

    with db.engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
