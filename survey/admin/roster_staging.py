"""Uploaded import files waiting between the preview and «Import».

The bytes wait in the instance folder under a random token that only the session knows, so the
preview and the import read the same file, and nothing is written before «Import». Importing
first claims the file by renaming it: of two submits of the same preview only one finds it.
The report of an import is kept next to it, under the same token, until the page has shown it."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from pathlib import Path, PurePosixPath
from typing import Any

from flask import abort, current_app

UPLOAD_FOLDER = "uploads"
UPLOAD_LIFETIME = dt.timedelta(days=1)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
_CLAIMED = ".importing"
_REPORT = ".report.json"


def is_token(value: Any) -> bool:
    return isinstance(value, str) and bool(_TOKEN.match(value))


def _folder() -> Path:
    folder = Path(current_app.instance_path) / UPLOAD_FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _path(token: str, suffix: str = "") -> Path:
    # The session is signed, but a path is built from the token only after checking its shape.
    if not is_token(token):
        abort(400)
    return _folder() / f"{token}{suffix}"


def _remove_old() -> None:
    """Files left by previews nobody imported, older than a day."""
    limit = time.time() - UPLOAD_LIFETIME.total_seconds()
    for path in _folder().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass  # another request removed it first


def display_name(filename: str) -> str:
    # Only shown and audited, never used as a path.
    return PurePosixPath(filename.replace("\\", "/")).name[:200] or "file"


def stage(data: bytes) -> str:
    """Keep an uploaded file; returns its token."""
    _remove_old()
    token = secrets.token_urlsafe(24)
    _path(token).write_bytes(data)
    return token


def discard(token: Any) -> None:
    """Remove a staged file and its report, if any."""
    if is_token(token):
        for suffix in ("", _REPORT):
            _path(token, suffix).unlink(missing_ok=True)


def read(token: str) -> bytes:
    """The staged file; FileNotFoundError when it is gone (imported, or too old)."""
    return _path(token).read_bytes()


def claim(token: str) -> bytes | None:
    """Take the staged file for importing, or None when another request took it first."""
    claimed = _path(token, _CLAIMED)
    try:
        _path(token).rename(claimed)
    except FileNotFoundError:
        return None
    try:
        return claimed.read_bytes()
    except BaseException:
        release(token)
        raise


def release(token: str) -> None:
    """Put a claimed file back: the import did not happen."""
    _path(token, _CLAIMED).rename(_path(token))


def finish(token: str, result: dict[str, Any]) -> None:
    """The claimed file is imported: remove it and keep the import's report to show."""
    _path(token, _CLAIMED).unlink(missing_ok=True)
    _path(token, _REPORT).write_text(json.dumps(result), "utf-8")


def result(token: Any) -> dict[str, Any] | None:
    """The report kept by `finish`, or None when there is none (or it cannot be read)."""
    if not is_token(token):
        return None
    try:
        return json.loads(_path(token, _REPORT).read_text("utf-8"))
    except (OSError, ValueError):
        return None
