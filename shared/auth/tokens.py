"""Bearer tokens: verifying them (a municipality identity provider's JWKS, a PEM public key, or
a shared HS256 secret) and, for development only, minting them.

Exactly one key source is used, in this order: `SSP_AUTH_JWKS_URL`, `SSP_AUTH_PUBLIC_KEY`,
`SSP_AUTH_SIGNING_KEY`, else a development key created once in
`$SSP_DATA_DIR/secrets/auth.json`. Asymmetric and HMAC algorithms are never both accepted, so
a public key can never be misused as an HMAC secret."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

from shared.auth.principal import InvalidClaims, Principal, scope_claim
from shared.auth.settings import AuthSettings
from shared.files import development_secret
from shared.settings import ConfigurationRefused

log = logging.getLogger(__name__)

ASYMMETRIC_ALGORITHMS = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
]  # fmt: skip
HMAC_ALGORITHMS = ["HS256"]
LEEWAY_SECONDS = 30
"""Clock skew tolerated between the identity provider and the platform."""
DEVELOPMENT_KEY_FILE = Path("secrets") / "auth.json"
_MIN_SECRET_BYTES = 32

_REASONS: list[tuple[type[Exception], str]] = [
    (jwt.ExpiredSignatureError, "token_expired"),
    (jwt.ImmatureSignatureError, "token_not_yet_valid"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.MissingRequiredClaimError, "claim_missing"),
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.InvalidAlgorithmError, "algorithm_not_allowed"),
    (jwt.PyJWKClientError, "signing_key_unavailable"),
    (jwt.DecodeError, "malformed_token"),
]


class InvalidToken(Exception):
    """The token cannot be trusted; `reason` is a code for the audit trail."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProductionKeyConfigured(RuntimeError):
    """Development tokens are refused where an identity provider's key is configured."""


@dataclass(kw_only=True, eq=False, repr=False)
class TokenVerifier:
    """Verifies tokens with one `key`, or with the keys of one `jwks_client`."""

    issuer: str
    audience: str
    algorithms: list[str]
    key: Any = None
    jwks_client: jwt.PyJWKClient | None = None
    max_lifetime_s: float = 12 * 3600

    def __post_init__(self) -> None:
        if (self.key is None) == (self.jwks_client is None):
            raise ValueError("give exactly one of key and jwks_client")

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> TokenVerifier:
        common: dict[str, Any] = {
            "issuer": settings.auth_issuer,
            "audience": settings.auth_audience,
            "max_lifetime_s": settings.auth_max_token_lifetime_hours * 3600,
        }
        sources = [settings.auth_jwks_url, settings.auth_public_key, settings.auth_signing_key]
        if sum(source is not None for source in sources) > 1:
            raise ValueError(
                "set only one of SSP_AUTH_JWKS_URL, SSP_AUTH_PUBLIC_KEY and SSP_AUTH_SIGNING_KEY"
            )
        if settings.auth_jwks_url:
            client = jwt.PyJWKClient(settings.auth_jwks_url, cache_keys=True, lifespan=300)
            return cls(algorithms=ASYMMETRIC_ALGORITHMS, jwks_client=client, **common)
        if settings.auth_public_key:
            return cls(
                algorithms=ASYMMETRIC_ALGORITHMS, key=_pem(settings.auth_public_key), **common
            )
        return cls(algorithms=HMAC_ALGORITHMS, key=signing_secret(settings), **common)

    @property
    def remote(self) -> bool:
        """Verifying may fetch keys over the network (call it off the event loop)."""
        return self.jwks_client is not None

    def verify(self, token: str) -> Principal:
        try:
            key = (
                self.jwks_client.get_signing_key_from_jwt(token).key
                if self.jwks_client is not None
                else self.key
            )
            claims = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(_reason(exc)) from None
        if self._lifetime_s(claims) > self.max_lifetime_s + LEEWAY_SECONDS:
            raise InvalidToken("lifetime_too_long")
        try:
            return Principal.from_claims(claims)
        except InvalidClaims:
            raise InvalidToken("invalid_claims") from None

    @staticmethod
    def _lifetime_s(claims: dict[str, Any]) -> float:
        """How long the token is valid: exp - iat, or exp - now when it has no iat (a token
        that says it was issued in the future counts from now)."""
        expires = float(claims["exp"])
        issued = claims.get("iat")
        now = time.time()
        start = float(issued) if isinstance(issued, int | float) else now
        return expires - min(start, now)


def _reason(exc: Exception) -> str:
    for error_class, reason in _REASONS:
        if isinstance(exc, error_class):
            return reason
    return "invalid_token"


def _pem(value: str) -> str:
    if "-----BEGIN" in value:
        return value
    return Path(value).read_text()


def signing_secret(settings: AuthSettings) -> str:
    """The HS256 secret: the configured one, else the development key."""
    if settings.auth_signing_key is not None:
        secret = settings.auth_signing_key.get_secret_value()
        if len(secret.encode()) < _MIN_SECRET_BYTES:
            raise ValueError("SSP_AUTH_SIGNING_KEY must be at least 32 bytes")
        return secret
    if settings.production:
        raise ConfigurationRefused(
            "SSP_ENVIRONMENT=production: no development signing key is created; set "
            "SSP_AUTH_JWKS_URL or SSP_AUTH_PUBLIC_KEY"
        )
    return development_signing_key(Path(settings.data_dir))


_announced: set[Path] = set()
_announce_lock = threading.Lock()


def development_signing_key(data_dir: Path) -> str:
    """The development key, created once in the data directory (never use it in production)."""
    path = data_dir / DEVELOPMENT_KEY_FILE
    key, created = development_secret(path, "signing_key")
    with _announce_lock:
        if path not in _announced:
            _announced.add(path)
            log.warning(
                "auth: %s DEVELOPMENT signing key %s; `ssp token <role>` mints tokens with it. "
                "Set SSP_AUTH_JWKS_URL or SSP_AUTH_PUBLIC_KEY in production",
                "created" if created else "using",
                path,
            )
    return key


def mint_development_token(
    settings: AuthSettings,
    *,
    role: str,
    municipalities: Iterable[str] = (),
    schools: Iterable[str] = (),
    scopes: Iterable[str] = (),
    subject: str | None = None,
    hours: float = 8,
    now: datetime | None = None,
) -> str:
    """A token signed with the HS256 key (configured or development), for `ssp token` and tests."""
    source = settings.production_key_source
    if source is not None:
        raise ProductionKeyConfigured(
            f"{source} is set: tokens come from the identity provider, not from `ssp token`"
        )
    if settings.production:
        raise ProductionKeyConfigured(
            "SSP_ENVIRONMENT=production: tokens come from the identity provider, not from "
            "`ssp token`"
        )
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "sub": subject or f"dev-{role}",
        "role": role,
        "municipalities": sorted(set(municipalities)),
        "schools": sorted(set(schools)),
        "scope": scope_claim(scopes),
        "iat": issued,
        "nbf": issued,
        "exp": issued + timedelta(hours=hours),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, signing_secret(settings), algorithm="HS256")
