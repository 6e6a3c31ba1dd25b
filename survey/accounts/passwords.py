"""Password rules (NIST SP 800-63B style: length and a blocklist, no composition rules) and
Argon2id hashing."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MINIMUM_LENGTH = 12
MAXIMUM_LENGTH = 256  # hashing megabytes of "password" is a denial of service, not security

# Common Norwegian choices the English-language lists miss.
NORWEGIAN_COMMON = {
    "passord",
    "passord123",
    "passord1234",
    "passord12345",
    "passord123456",
    "hemmelig",
    "sommer",
    "vinter",
    "hosten",
    "varen",
    "norge",
    "norge123",
    "kommune",
    "kommunen",
    "sykepleier",
    "helsefagarbeider",
    "hjemmetjenesten",
    "omsorgssenter",
    "velkommen",
    "velkommen1",
    "velkommen123",
    "qwertyuiopå",
    "12345678910",
    "123456789012",
}


def _hasher() -> PasswordHasher:
    """Argon2id with the library's current recommended parameters, unless the app's
    ARGON2_PARAMETERS (PasswordHasher's keyword arguments) say otherwise: the tests hash with
    a small cost."""
    parameters = current_app.config.get("ARGON2_PARAMETERS") if has_app_context() else None
    return _hasher_with(tuple(sorted((parameters or {}).items())))


@cache
def _hasher_with(parameters: tuple) -> PasswordHasher:
    return PasswordHasher(**dict(parameters))


class PasswordRejected(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "too_short", "too_long", "common"


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | NORWEGIAN_COMMON


def _stem(password: str) -> str:
    """«Sommer2024!» is as weak as «sommer»: strip trailing digits and symbols."""
    return password.lower().rstrip("0123456789!?.#*-_ ")


def check_password(password: str) -> None:
    if len(password) < MINIMUM_LENGTH:
        raise PasswordRejected("too_short")
    if len(password) > MAXIMUM_LENGTH:
        raise PasswordRejected("too_long")
    common = _common_passwords()
    lowered = password.lower()
    if lowered in common or _stem(password) in common or len(set(lowered)) <= 2:
        raise PasswordRejected("common")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash or len(password) > MAXIMUM_LENGTH:
        # Same work either way, so timing does not tell whether the account has a password.
        _hasher().hash("timing-equaliser")
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
