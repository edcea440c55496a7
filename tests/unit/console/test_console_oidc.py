"""Login with the municipality's identity provider: the authorization code flow with PKCE
(S256), the provider answering in the process. The console checks the state, exchanges the
code with its verifier, validates the ID token and forwards the provider's access token."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from services.console.adapters.oidc import IdentityProvider
from services.console.adapters.platform_api import PlatformApi
from services.console.bootstrap import configured_urls
from services.console.entrypoints.http import create_http_app
from services.console.settings import ConsoleSettings
from tests.unit.console.fake_platform import FakePlatform, letter_task

ISSUER = "https://login.fredericia.example"
CLIENT_ID = "ssp-console"


class FakeIdentityProvider:
    """Discovery, token endpoint (checking the PKCE verifier) and keys of a provider."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests: list[dict[str, list[str]]] = []

    @property
    def public_pem(self) -> str:
        return (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})

    def issue_code(self, authorization: dict[str, list[str]]) -> str:
        code = f"code-{len(self.codes)}"
        self.codes[code] = {
            "challenge": authorization["code_challenge"][0],
            "nonce": authorization["nonce"][0],
        }
        return code

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                },
            )
        if request.url.path == "/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return httpx.Response(200, json={"keys": [{**jwk, "kid": "k1", "alg": "RS256"}]})
        if request.url.path == "/token":
            form = parse_qs(request.content.decode())
            self.token_requests.append(form)
            issued = self.codes.pop(form["code"][0], None)
            verifier = form.get("code_verifier", [""])[0]
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if issued is None or challenge != issued["challenge"]:
                return httpx.Response(400, json={"error": "invalid_grant"})
            now = int(time.time())
            common = {"iss": ISSUER, "sub": "abj@fredericia", "iat": now, "exp": now + 600}
            access = {
                **common,
                "aud": "urn:ssp:platform",
                "role": "tovholder",
                "municipalities": ["607"],
            }
            identity = {**common, "aud": CLIENT_ID, "nonce": issued["nonce"]}
            return httpx.Response(
                200,
                json={
                    "access_token": self.sign(access),
                    "id_token": self.sign(identity),
                    "token_type": "Bearer",
                    "expires_in": 600,
                },
            )
        return httpx.Response(404)


@pytest.fixture
def provider() -> FakeIdentityProvider:
    return FakeIdentityProvider()


def test_login_with_the_identity_provider_uses_pkce_and_forwards_its_token(
    tmp_path: Path, provider: FakeIdentityProvider
) -> None:
    settings = ConsoleSettings(
        SSP_DATA_DIR=str(tmp_path),
        SSP_ENVIRONMENT="production",
        CONSOLE_SESSION_SECRET="s" * 40,
        CONSOLE_PUBLIC_URL="https://ssp.fredericia.example",
        SSP_AUTH_PUBLIC_KEY=provider.public_pem,
        SSP_AUTH_ISSUER=ISSUER,
        CONSOLE_OIDC_DISCOVERY_URL=f"{ISSUER}/.well-known/openid-configuration",
        CONSOLE_OIDC_CLIENT_ID=CLIENT_ID,
        CONSOLE_OIDC_CLIENT_SECRET="client-secret",
    )
    platform = FakePlatform()
    platform.answer(
        "GET",
        r"/v1/letter-tasks",
        {"tasks": [letter_task("t1", "2026-12-20T12:00:00+01:00", "open")]},
    )
    platform.answer("GET", r"/v1/courses", {"courses": []})
    app = create_http_app(
        settings,
        PlatformApi(configured_urls(settings), httpx.AsyncClient(transport=platform.transport())),
        identity_provider=IdentityProvider(settings, httpx.MockTransport(provider.handle)),
    )
    with TestClient(
        app, base_url="https://ssp.fredericia.example", follow_redirects=False
    ) as browser:
        page = browser.get("/login")
        assert "Log ind med kommunens login" in page.text and "Udviklingslogin" not in page.text
        redirect = browser.get("/login/oidc")
        assert redirect.status_code == 302
        target = urlparse(redirect.headers["location"])
        query = parse_qs(target.query)
        assert f"{target.scheme}://{target.netloc}{target.path}" == f"{ISSUER}/authorize"
        assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
        assert query["client_id"] == [CLIENT_ID] and query["response_type"] == ["code"]
        assert query["redirect_uri"] == ["https://ssp.fredericia.example/auth/callback"]
        assert "secure" in redirect.headers["set-cookie"].lower()

        # A forged state is refused, and nothing is exchanged.
        code = provider.issue_code(query)
        forged = browser.get(f"/auth/callback?code={code}&state=forged")
        assert forged.headers["location"] == "/login" and provider.token_requests == []

        signed_in = browser.get(f"/auth/callback?code={code}&state={query['state'][0]}")
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
        [exchange] = provider.token_requests
        assert exchange["code_verifier"][0]  # PKCE: the verifier only the console knew
        worklist = browser.get("/arbejdsliste")
        assert worklist.status_code == 200 and "t1" in worklist.text
        forwarded = platform.requests[0].headers["authorization"].removeprefix("Bearer ")
        assert jwt.decode(forwarded, options={"verify_signature": False})["aud"] == (
            "urn:ssp:platform"
        )
