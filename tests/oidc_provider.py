"""A small, real OpenID Connect provider for tests: discovery, authorize, token and JWKS.

It runs on 127.0.0.1 on a free port in a thread. /authorize has no UI: it redirects straight
back with a code (or with an error). /token checks the code, the client's credentials and
the PKCE verifier, and returns an RS256-signed ID token. `behaviour` makes it misbehave:

    provider.behaviour.expired = True          # exp an hour ago
    provider.behaviour.wrong_audience = True   # aud is another client (azp still ours)
    provider.behaviour.bad_signature = True    # signed with another key, same kid
    provider.behaviour.wrong_nonce = True
    provider.behaviour.error = "access_denied" # /authorize redirects back with error=…
    provider.behaviour.id_token = False        # the token answer has no id_token
    provider.behaviour.claims = {"email": …}   # the claims besides iss, sub, aud, exp, iat, nonce
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import secrets
import threading
import time
from typing import Any
from urllib.parse import unquote, urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server


@dataclasses.dataclass
class Behaviour:
    claims: dict[str, Any] = dataclasses.field(default_factory=dict)
    subject: str = "subject-0001"
    expired: bool = False
    wrong_audience: bool = False
    bad_signature: bool = False
    wrong_nonce: bool = False
    error: str | None = None
    id_token: bool = True


class OidcProvider:
    def __init__(self, client_id: str = "survey-test", client_secret: str = "test-client-secret"):
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.behaviour = Behaviour()
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self._server = None
        self._thread: threading.Thread | None = None
        self.app = self._make_app()

    # --- running -----------------------------------------------------------------------------

    def start(self) -> OidcProvider:
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def reset(self) -> None:
        self.behaviour = Behaviour()
        self.codes.clear()
        self.authorize_requests.clear()
        self.token_requests.clear()

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    # --- the provider ------------------------------------------------------------------------

    def _make_app(self) -> Flask:
        app = Flask("oidc_provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=self.issuer,
                authorization_endpoint=f"{self.issuer}/authorize",
                token_endpoint=f"{self.issuer}/token",
                jwks_uri=f"{self.issuer}/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
                token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
                scopes_supported=["openid", "email", "profile"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():
            args = request.args.to_dict()
            self.authorize_requests.append(args)
            redirect_uri = args.get("redirect_uri")
            if not redirect_uri or args.get("client_id") != self.client_id:
                return "unknown client or redirect_uri", 400
            back: dict[str, str] = {}
            if args.get("state"):
                back["state"] = args["state"]
            if self.behaviour.error:
                back["error"] = self.behaviour.error
                back["error_description"] = "The user said no"
            elif (
                args.get("response_type") != "code"
                or "openid" not in args.get("scope", "").split()
                or args.get("code_challenge_method") != "S256"
                or not args.get("code_challenge")
            ):
                back["error"] = "invalid_request"
            else:
                code = secrets.token_urlsafe(24)
                self.codes[code] = {
                    "client_id": args["client_id"],
                    "redirect_uri": redirect_uri,
                    "nonce": args.get("nonce"),
                    "code_challenge": args["code_challenge"],
                    "issued": time.time(),
                }
                back["code"] = code
            separator = "&" if "?" in redirect_uri else "?"
            return redirect(f"{redirect_uri}{separator}{urlencode(back)}")

        @app.post("/token")
        def token():
            form = request.form.to_dict()
            self.token_requests.append(form)
            client_id, client_secret = _client_credentials(form)
            if client_id != self.client_id or client_secret != self.client_secret:
                return jsonify(error="invalid_client"), 401
            if form.get("grant_type") != "authorization_code":
                return jsonify(error="unsupported_grant_type"), 400
            grant = self.codes.pop(form.get("code", ""), None)  # a code works once
            if (
                grant is None
                or grant["client_id"] != client_id
                or grant["redirect_uri"] != form.get("redirect_uri")
                or time.time() - grant["issued"] > 60
            ):
                return jsonify(error="invalid_grant"), 400
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if not verifier or challenge != grant["code_challenge"]:
                return jsonify(error="invalid_grant", error_description="PKCE"), 400
            answer: dict[str, Any] = {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": "openid email profile",
            }
            if self.behaviour.id_token:
                answer["id_token"] = self._id_token(grant["nonce"])
            return jsonify(answer)

        return app

    def _id_token(self, nonce: str | None) -> str:
        behaviour = self.behaviour
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": behaviour.subject,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if behaviour.expired:
            claims["iat"] = now - 7200
            claims["exp"] = now - 3600
        if behaviour.wrong_audience:
            claims["aud"] = "another-client"
            claims["azp"] = self.client_id  # passes Authlib's own azp check; aud must be checked
        if behaviour.wrong_nonce:
            claims["nonce"] = "not-the-nonce-that-was-sent"
        claims.update(behaviour.claims)
        key = self.other_key if behaviour.bad_signature else self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _client_credentials(form: dict[str, str]) -> tuple[str | None, str | None]:
    """client_secret_basic or client_secret_post. (RFC 6749 wants the basic credentials
    form-urlencoded first; Authlib does not, so keep test secrets to unreserved characters.)"""
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except ValueError:
            return None, None
        client_id, _, client_secret = decoded.partition(":")
        return unquote(client_id.replace("+", " ")), unquote(client_secret.replace("+", " "))
    return form.get("client_id"), form.get("client_secret")
