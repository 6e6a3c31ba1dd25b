"""Alembic, driven from the app: `survey db upgrade` and `survey serve` migrate the database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from survey.extensions import db

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(revision: str = "head") -> None:
    with db.engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def make_revision(message: str) -> None:
    with db.engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
