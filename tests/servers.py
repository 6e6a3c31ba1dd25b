"""Real servers for tests that need more than the test client: gunicorn (one or several app
servers), started as subprocesses on free loopback ports and stopped at the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET_KEY = "test-secret-key-not-for-production"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Wait until `url` answers (any status), failing with the server's log if it exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, timeout=timeout)
            return
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{url} did not answer:\n{log.read_text()}") from None
            time.sleep(0.2)


def app_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment an app server is started with: production mode, a shared key."""
    return {
        **os.environ,
        "SURVEY_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@contextmanager
def gunicorn(
    env: Mapping[str, str],
    log: Path,
    *,
    port: int | None = None,
    args: tuple[str, ...] = ("--workers", "1", "--threads", "4"),
    ready_path: str = "/personvern",
) -> Iterator[str]:
    """`gunicorn wsgi:app` on 127.0.0.1:`port` (a free one by default) with the settings of
    deploy/gunicorn.conf.py when it exists; yields its base URL."""
    port = port or free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    config = ROOT / "deploy" / "gunicorn.conf.py"
    if config.exists():
        command += ["--config", str(config)]
    command += [*args, "wsgi:app"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + ready_path, process, log)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
