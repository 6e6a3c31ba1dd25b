"""The backup file: an uncompressed tar holding `manifest.json` first and the data file second.

Why a tar: the standard library writes and reads it, `tar tf FILE` shows an operator what is
inside without this app, and the manifest, being the first member, is read without reading the
data. No compression on top: `pg_dump -Fc` compresses already, and an SQLite file is small
next to the time it takes to restore. The tar has no checksum of its contents, so the manifest
carries the SHA-256 and size of the data file, checked before anything touches the target.

Written atomically: everything goes into a private folder next to FILE, the finished archive
(mode 0600: it holds personal data) is renamed onto FILE, so FILE is either the old one or
the whole new one, never half of it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

FORMAT = "heltid-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATA_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK = 1 << 20


class BackupError(Exception):
    """Something an operator must fix; the message says what, in English."""


@dataclass(frozen=True)
class Manifest:
    created_at: str  # ISO 8601, UTC
    database: str  # "postgresql" or "sqlite"
    server_version: str  # "15.20" on PostgreSQL, the SQLite library version on SQLite
    app_version: str
    revision: str  # alembic_version.version_num
    tables: dict[str, int]  # rows per table, as of the data file's snapshot
    data_file: str
    data_sha256: str
    data_bytes: int
    tool: str  # what made the data file: "pg_dump (PostgreSQL) 15.20", "sqlite3 backup API"
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True)
class Dumped:
    """A database's data file and what the manifest says about it, as of its snapshot."""

    data: Path
    tables: dict[str, int]
    revision: str
    server_version: str
    tool: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def work_folder(parent: Path) -> Iterator[Path]:
    """A private folder (mode 0700) in `parent`, removed afterwards. Made in the folder of
    the file to write, its files are on the same file system, so the last step is a rename."""
    folder = Path(tempfile.mkdtemp(prefix=".heltid-backup.", dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write(out: Path, data: Path, manifest: Manifest, folder: Path) -> None:
    """Write the archive to `out` atomically, mode 0600. `folder` is a `work_folder` in
    `out`'s folder."""
    partial = folder / "archive.tar"
    encoded = json.dumps(asdict(manifest), indent=2, sort_keys=True).encode()
    with partial.open("wb") as raw:
        os.fchmod(raw.fileno(), 0o600)
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size = len(encoded)
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(encoded))
            info = archive.gettarinfo(str(data), arcname=manifest.data_file)
            info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
            with data.open("rb") as content:
                archive.addfile(info, content)
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(partial, out)
    _sync_folder(out.parent)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read(path: Path, folder: Path) -> tuple[Manifest, Path]:
    """Check the archive at `path` and extract its data file into `folder`: the manifest is
    there and well formed, the data file is whole and matches its checksum. Raises
    BackupError naming the file and what is wrong; reads nothing but `path`."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    manifest = None
    try:
        with tarfile.open(path, mode="r:") as archive:
            first = archive.next()
            if first is None or first.name != MANIFEST_NAME or not first.isfile():
                raise BackupError(
                    f"{path} is not a Heltid backup: it does not begin with {MANIFEST_NAME}"
                )
            manifest = _parse_manifest(path, archive.extractfile(first).read())
            member = archive.next()
            if member is None or member.name != manifest.data_file or not member.isfile():
                raise BackupError(
                    f"{path} is truncated or damaged: the data file {manifest.data_file} is missing"
                )
            data = folder / manifest.data_file
            digest = hashlib.sha256()
            with archive.extractfile(member) as source, data.open("wb") as target:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    target.write(chunk)
    except (tarfile.TarError, EOFError) as error:
        if manifest is not None:
            raise BackupError(f"{path} is truncated or damaged: {error}") from None
        raise BackupError(
            f"{path} is not a Heltid backup (not a tar archive, or cut short: {error})"
        ) from None
    size = data.stat().st_size
    if size != manifest.data_bytes:
        raise BackupError(
            f"{path} is truncated or damaged: {manifest.data_file} has {size} bytes, "
            f"the manifest says {manifest.data_bytes}"
        )
    if digest.hexdigest() != manifest.data_sha256:
        raise BackupError(
            f"{path} is damaged: the SHA-256 of {manifest.data_file} does not match the manifest"
        )
    return manifest, data


def _parse_manifest(path: Path, encoded: bytes) -> Manifest:
    def wrong(what: str) -> BackupError:
        return BackupError(f"{path}: {MANIFEST_NAME} is not well formed: {what}")

    try:
        values = json.loads(encoded)
    except ValueError as error:
        raise wrong(f"not JSON ({error})") from None
    if not isinstance(values, dict) or values.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Heltid backup (its manifest has no format {FORMAT!r})")
    if values.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} has backup format version {values.get('format_version')!r}; "
            f"this version of the app reads version {FORMAT_VERSION}"
        )
    fields = {
        "created_at": str,
        "database": str,
        "server_version": str,
        "app_version": str,
        "revision": str,
        "tables": dict,
        "data_file": str,
        "data_sha256": str,
        "data_bytes": int,
        "tool": str,
    }
    for name, kind in fields.items():
        if not isinstance(values.get(name), kind):
            raise wrong(f"{name} is missing or not a {kind.__name__}")
    if (
        values["database"] not in DATA_NAMES
        or values["data_file"] != DATA_NAMES[values["database"]]
    ):
        raise wrong(f"unknown database {values['database']!r} or data file {values['data_file']!r}")
    if not re.fullmatch(r"[0-9a-f]{64}", values["data_sha256"]):
        raise wrong("data_sha256 is not a SHA-256")
    tables = values["tables"]
    if not all(isinstance(n, str) and type(c) is int and c >= 0 for n, c in tables.items()):
        raise wrong("tables must map table names to row counts")
    return Manifest(**{name: values[name] for name in fields})
