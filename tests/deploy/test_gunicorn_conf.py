"""deploy/gunicorn.conf.py: every name it sets is a gunicorn setting (gunicorn ignores a
misspelt one without a word), and the environment tunes it as deploy/README.md says."""

from __future__ import annotations

import multiprocessing
import runpy
import types

from gunicorn.config import KNOWN_SETTINGS

from tests.conftest import ROOT

CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
TUNING = (
    "GUNICORN_WORKERS",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_BIND",
    "FORWARDED_ALLOW_IPS",
    "RUNTIME_DIRECTORY",
)


def _settings(monkeypatch, **env) -> dict:
    for name in TUNING:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    found = runpy.run_path(str(CONFIG))
    return {
        name: value
        for name, value in found.items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }


def test_every_name_is_a_gunicorn_setting(monkeypatch):
    known = {setting.name for setting in KNOWN_SETTINGS}
    for env in ({}, {"RUNTIME_DIRECTORY": "/run/heltid"}):
        assert set(_settings(monkeypatch, **env)) - known == set()


def test_defaults_behind_nginx(monkeypatch):
    settings = _settings(monkeypatch)
    assert settings["bind"] == "127.0.0.1:8000"
    assert settings["worker_class"] == "gthread"
    assert settings["workers"] == multiprocessing.cpu_count() and settings["threads"] == 4
    assert settings["keepalive"] > 60  # nginx's upstream keep-alive closes first
    assert settings["accesslog"] is None  # the app logs each request, without its path
    assert settings["logger_class"] == "survey.logs.MaskingLogger"
    assert settings["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert settings["control_socket_disable"] is True


def test_the_environment_tunes_it(monkeypatch):
    settings = _settings(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="8",
        GUNICORN_TIMEOUT="120",
        RUNTIME_DIRECTORY="/run/heltid",
    )
    assert (settings["workers"], settings["threads"], settings["timeout"]) == (3, 8, 120)
    assert settings["control_socket"] == "/run/heltid/gunicorn.ctl"
    assert _settings(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_WORKERS="5")["workers"] == 5
