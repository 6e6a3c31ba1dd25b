"""Checking where a `next=` parameter may send someone."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None.

    Browsers read `/\\evil.example` and `/<tab>/evil.example` as `//evil.example`, another
    site; an open redirect would let a phishing link borrow the municipality's address."""
    if not target or not target.startswith("/") or len(target) > 2000:
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target
