"""Production mode (wsgi.py's default) refuses to start without SECRET_KEY, with a message
that says what to set, instead of writing a key file that a second app server would not
share."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from survey import create_app
from survey.config import ConfigurationError
from tests.conftest import ROOT


def _environment_without_key(tmp_path, **extra) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **extra)
    env.pop("SURVEY_ENV", None)
    return env


def test_gunicorns_entry_point_refuses_to_start_without_secret_key(tmp_path):
    key_file = ROOT / "instance" / "secret_key"
    existed = key_file.exists()
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=_environment_without_key(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ConfigurationError: SECRET_KEY is not set" in result.stderr
    assert "SURVEY_ENV=production" in result.stderr
    assert key_file.exists() == existed  # no key file written for this server alone


def test_production_app_starts_with_a_key_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-key-from-the-environment")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    app = create_app()
    assert app.config["SECRET_KEY"] == "a-key-from-the-environment"


def test_production_without_key_raises_before_writing_a_key_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app()
