"""Sending an SMS: a small provider interface and its two implementations.

Norwegian SMS providers take a JSON body over HTTPS with a bearer token, each with its own
field names; `HttpJsonProvider` is configured by `SMS_GATEWAY_URL`, `SMS_GATEWAY_TOKEN` and
`SMS_BODY_TEMPLATE` rather than written once per provider. `ConsoleProvider` is for
development. `SMS_PROVIDER` chooses ("console", "http"; unset: no SMS).

An SMS is sent at least once, not exactly once: the outbox marks the row sent only after the
gateway has answered 2xx, so a sender killed between that answer and its commit sends the
message again on its next run. The outbox id goes to the gateway as `{reference}`, so a
gateway that deduplicates on it sends the text once (docs/outbox.md § Exactly once: SMS)."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import requests

logger = logging.getLogger(__name__)

# Connect and read timeouts (seconds). On SQLite the sender holds the write lock while it
# waits (see sending.py), and other writers wait at most the busy timeout (10 s).
TIMEOUT = (4, 6)
_PLACEHOLDER = re.compile(r"\{(to|sender|text|reference)\}")


class TemporaryFailure(Exception):
    """Try again later: the gateway is down, slow or answered 5xx (or 429)."""


class Unreachable(TemporaryFailure):
    """The gateway cannot be reached at all: no SMS in this run."""


class PermanentFailure(Exception):
    """The gateway refused this message (4xx): sending it again will not help."""


class SmsProvider(Protocol):
    def send(self, to: str, text: str, reference: str) -> None:
        """Hand one text to the provider, or raise TemporaryFailure / PermanentFailure."""


class ConsoleProvider:
    """Development: the text goes to stderr, the log gets the reference and the length only."""

    def __init__(self, stream=None) -> None:
        self.stream = stream

    def send(self, to: str, text: str, reference: str) -> None:
        logger.info(
            "SMS for outbox message %s (%d characters) written to stderr", reference, len(text)
        )
        print(f"--- SMS {reference} to {to} ---\n{text}\n---", file=self.stream or sys.stderr)


class HttpJsonProvider:
    """POST a JSON body built from a template to the gateway, with a bearer token."""

    def __init__(
        self,
        url: str,
        token: str | None,
        template: str,
        sender: str,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.token = token
        self.template = template
        self.sender = sender
        if session is None:
            import requests  # heavy: imported where used, not by every process

            session = requests.Session()
        self.session = session

    def body(self, to: str, text: str, reference: str) -> str:
        """The template with {to}, {sender}, {text} and {reference} filled in, each escaped
        for a JSON string (the template puts the quotes around them). One pass, so a text that
        contains «{sender}» stays as written."""
        values = {"to": to, "sender": self.sender, "text": text, "reference": reference}
        return _PLACEHOLDER.sub(lambda m: json.dumps(values[m.group(1)])[1:-1], self.template)

    def send(self, to: str, text: str, reference: str) -> None:
        import requests  # heavy: imported where used, not by every process

        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.session.post(
                self.url,
                data=self.body(to, text, reference).encode("utf-8"),
                headers=headers,
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:  # refused, reset, timed out
            raise Unreachable(f"SMS gateway not reachable: {type(error).__name__}") from None
        if 200 <= response.status_code < 300:
            return
        reason = f"SMS gateway answered {response.status_code} {response.reason or ''}".strip()
        # The gateway's own words help the operator; they are about the request, and short.
        detail = response.text.strip()[:200]
        if detail:
            reason = f"{reason}: {detail}"
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise TemporaryFailure(reason)
        raise PermanentFailure(reason)


def provider_from_config(config: Mapping[str, Any]) -> SmsProvider | None:
    """The provider `SMS_PROVIDER` names, or None when SMS is not set up."""
    kind = (config.get("SMS_PROVIDER") or "").strip().lower()
    if not kind:
        return None
    if kind == "console":
        return ConsoleProvider()
    if kind == "http":
        if not config.get("SMS_GATEWAY_URL"):
            logger.warning("SMS_PROVIDER is http but SMS_GATEWAY_URL is not set: no SMS sent")
            return None
        return HttpJsonProvider(
            config["SMS_GATEWAY_URL"],
            config.get("SMS_GATEWAY_TOKEN"),
            config["SMS_BODY_TEMPLATE"],
            config.get("SMS_SENDER") or "",
        )
    logger.warning("unknown SMS_PROVIDER %r: no SMS sent", kind)
    return None
