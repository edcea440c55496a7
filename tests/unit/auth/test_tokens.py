"""Authentication: only a token with a good signature, issuer, audience and lifetime gets in;
every refusal is a 401 with the same body, and is audited. Keys from a shared secret, a PEM
public key, or the identity provider's JWKS."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import AuthSettings, InvalidToken, ProductionKeyConfigured, TokenVerifier
from shared.auth.settings import DEVELOPMENT_ISSUER, PLATFORM_AUDIENCE
from shared.auth.tokens import development_signing_key, mint_development_token
from tests.support import example
from tests.unit.auth.support import (
    IN,
    PURPOSE,
    SIGNING_KEY,
    WEEK,
    ServiceUnderTest,
    intake_under_test,
    mint,
    reporting_under_test,
)

HANDOVER = f"/v1/handover/{IN}/{WEEK}"


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "iss": DEVELOPMENT_ISSUER,
        "aud": PLATFORM_AUDIENCE,
        "sub": "abj@607",
        "role": "tovholder",
        "municipalities": [IN],
        "iat": now,
        "exp": now + timedelta(hours=1),
        **overrides,
    }


def signed(key: Any = SIGNING_KEY, algorithm: str = "HS256", **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), key, algorithm=algorithm)


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceUnderTest]:
    with reporting_under_test(tmp_path_factory.mktemp("reporting")) as served:
        yield served


def test_a_good_token_gets_in(reporting: ServiceUnderTest) -> None:
    auth = {"Authorization": f"Bearer {signed()}", **PURPOSE}
    assert reporting.client.get(HANDOVER, headers=auth).status_code == 200


BAD_TOKENS = {
    "expired": lambda: signed(exp=datetime.now(UTC) - timedelta(minutes=5)),
    "wrong_audience": lambda: signed(aud="urn:another:platform"),
    "wrong_issuer": lambda: signed(iss="https://evil.example"),
    "wrong_signature": lambda: signed(key="another-secret-" + "x" * 32),
    "not_yet_valid": lambda: signed(nbf=datetime.now(UTC) + timedelta(hours=1)),
    "without_expiry": lambda: jwt.encode(
        {k: v for k, v in claims().items() if k != "exp"}, SIGNING_KEY, algorithm="HS256"
    ),
    "unsigned": lambda: signed(key=None, algorithm="none"),
    "malformed": lambda: "not.a.token",
    "bad_municipalities": lambda: signed(municipalities="607"),
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_bad_tokens_are_401_with_a_fixed_body_and_audited(
    reporting: ServiceUnderTest, kind: str
) -> None:
    before = reporting.audit_count()
    response = reporting.client.get(
        HANDOVER, headers={"Authorization": f"Bearer {BAD_TOKENS[kind]()}", **PURPOSE}
    )
    assert response.status_code == 401
    assert response.json() == {
        "error": "unauthenticated",
        "message": "a valid bearer token is required",
        "field": None,
    }
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert reporting.audit_count() == before + 1
    [last] = reporting.audit.search(subject="-")[-1:]
    assert (last.result, last.action, last.role) == ("denied", "handover_list.read", "-")


def test_no_token_is_401_and_audited(reporting: ServiceUnderTest) -> None:
    before = reporting.audit_count()
    response = reporting.client.get(HANDOVER, headers=PURPOSE)
    assert response.status_code == 401
    assert reporting.audit.search(subject="-")[-1].reason == "token_missing"
    assert reporting.audit_count() == before + 1


def test_the_reasons_are_told_apart_in_the_verifier() -> None:
    verifier = TokenVerifier.from_settings(AuthSettings(SSP_AUTH_SIGNING_KEY=SIGNING_KEY))
    expectations = {
        "expired": "token_expired",
        "wrong_audience": "wrong_audience",
        "wrong_issuer": "wrong_issuer",
        "wrong_signature": "bad_signature",
        "not_yet_valid": "token_not_yet_valid",
        "without_expiry": "claim_missing",
        "bad_municipalities": "invalid_claims",
    }
    for kind, reason in expectations.items():
        with pytest.raises(InvalidToken) as refused:
            verifier.verify(BAD_TOKENS[kind]())
        assert refused.value.reason == reason, kind


def test_health_needs_no_token(reporting: ServiceUnderTest) -> None:
    assert reporting.client.get("/healthz").status_code == 200
    assert reporting.client.get("/readyz").status_code == 200
    assert reporting.client.get(HANDOVER, headers=PURPOSE).status_code == 401


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def test_a_pem_public_key_verifies_rs256_and_refuses_hs256(
    rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    pem_file = tmp_path / "idp.pem"
    pem_file.write_text(_public_pem(rsa_key))
    for source in (_public_pem(rsa_key), str(pem_file)):
        verifier = TokenVerifier.from_settings(
            AuthSettings(SSP_AUTH_PUBLIC_KEY=source, SSP_AUTH_ISSUER="https://idp.607.dk")
        )
        token = signed(rsa_key, "RS256", iss="https://idp.607.dk")
        assert verifier.verify(token).municipalities == frozenset({IN})
        # The public key used as an HMAC secret must not verify (algorithm confusion).
        forged = signed(SIGNING_KEY, "HS256", iss="https://idp.607.dk")
        with pytest.raises(InvalidToken):
            verifier.verify(forged)


@contextmanager
def serving(document: dict[str, Any]) -> Iterator[str]:
    """A stand-in for the identity provider's JWKS address."""
    body = json.dumps(document).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def test_keys_come_from_the_identity_providers_jwks(rsa_key: rsa.RSAPrivateKey) -> None:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    with serving({"keys": [{**jwk, "kid": "idp-1", "use": "sig"}]}) as url:
        verifier = TokenVerifier.from_settings(
            AuthSettings(SSP_AUTH_JWKS_URL=url, SSP_AUTH_ISSUER="https://idp.607.dk")
        )
        _verifies_only_the_providers_tokens(verifier, rsa_key)


def _verifies_only_the_providers_tokens(
    verifier: TokenVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    assert verifier.remote
    good = jwt.encode(
        claims(iss="https://idp.607.dk"), rsa_key, algorithm="RS256", headers={"kid": "idp-1"}
    )
    assert verifier.verify(good).subject == "abj@607"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        claims(iss="https://idp.607.dk"), other, algorithm="RS256", headers={"kid": "idp-1"}
    )
    with pytest.raises(InvalidToken):
        verifier.verify(forged)


def test_only_one_key_source(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="only one"):
        TokenVerifier.from_settings(
            AuthSettings(SSP_AUTH_JWKS_URL="https://idp/jwks", SSP_AUTH_SIGNING_KEY=SIGNING_KEY)
        )


def test_development_key_is_created_once_and_tokens_verify_with_it(tmp_path: Path) -> None:
    settings = AuthSettings(SSP_DATA_DIR=str(tmp_path))
    key = development_signing_key(tmp_path)
    assert development_signing_key(tmp_path) == key
    assert (tmp_path / "secrets" / "auth.json").stat().st_mode & 0o077 == 0
    token = mint_development_token(settings, role="caseworker", municipalities=[IN], hours=1)
    principal = TokenVerifier.from_settings(settings).verify(token)
    assert (principal.role, principal.municipalities) == ("caseworker", frozenset({IN}))


def test_no_development_tokens_where_an_identity_provider_is_configured(tmp_path: Path) -> None:
    settings = AuthSettings(SSP_DATA_DIR=str(tmp_path), SSP_AUTH_JWKS_URL="https://idp/jwks")
    with pytest.raises(ProductionKeyConfigured):
        mint_development_token(settings, role="tovholder")


def test_a_machine_client_without_its_scope_is_refused(tmp_path: Path) -> None:
    with intake_under_test(tmp_path) as intake:
        body = json.dumps(example("incident-valid.json"))
        scoped = mint("police_integration")
        unscoped = mint("police_integration", scopes=[])
        ok = intake.client.post(
            "/v1/incidents", content=body, headers={"Authorization": f"Bearer {scoped}"}
        )
        refused = intake.client.post(
            "/v1/incidents", content=body, headers={"Authorization": f"Bearer {unscoped}"}
        )
        assert ok.status_code in (200, 202)
        assert refused.status_code == 403
        assert intake.audit.search(subject="user-police_integration")[-1].reason == "scope_missing"
