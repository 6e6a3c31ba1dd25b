"""Where the rate-limit counters live, as configured."""

from __future__ import annotations

import logging

from survey import create_app
from tests.conftest import _test_config

MEMORY_WARNING = "RATELIMIT_STORAGE_URI is memory://"


def _start(tmp_path, caplog, **settings) -> None:
    config = {**_test_config(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path), **settings}
    with caplog.at_level(logging.WARNING, logger="survey"):
        create_app(config)


def test_production_with_counters_in_memory_warns(tmp_path, caplog):
    _start(tmp_path, caplog, SURVEY_ENV="production", RATELIMIT_STORAGE_URI="memory://")
    assert MEMORY_WARNING in caplog.text


def test_production_with_redis_or_development_does_not_warn(tmp_path, caplog):
    _start(
        tmp_path, caplog, SURVEY_ENV="production", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379"
    )
    _start(tmp_path, caplog, SURVEY_ENV="development", RATELIMIT_STORAGE_URI="memory://")
    assert MEMORY_WARNING not in caplog.text
