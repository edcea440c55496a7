"""Login with the municipality's identity provider: OpenID Connect's authorization code flow
with PKCE (S256), by Authlib's Starlette client. The token the provider issues is what the
console forwards to the APIs, which verify it against the provider's keys."""

from __future__ import annotations

from typing import Any

import httpx
from authlib.integrations.starlette_client import OAuth
from starlette.requests import Request

from services.console.settings import ConsoleSettings

PROVIDER = "municipality"


class IdentityProvider:
    def __init__(
        self, settings: ConsoleSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        """`transport`: how to reach the provider (tests answer in the process)."""
        self.settings = settings
        self.oauth = OAuth()
        secret = settings.oidc_client_secret
        client_kwargs: dict[str, Any] = {
            "scope": settings.oidc_scopes,
            "code_challenge_method": "S256",
        }
        if transport is not None:
            client_kwargs["transport"] = transport
        self.oauth.register(
            PROVIDER,
            server_metadata_url=settings.oidc_discovery_url,
            client_id=settings.oidc_client_id,
            client_secret=secret.get_secret_value() if secret is not None else None,
            client_kwargs=client_kwargs,
        )

    @property
    def client(self) -> Any:
        return self.oauth.create_client(PROVIDER)

    async def redirect(self, request: Request, redirect_uri: str) -> Any:
        """To the provider's login page; state, nonce and the PKCE verifier stay in the
        session."""
        return await self.client.authorize_redirect(request, redirect_uri)

    async def token(self, request: Request) -> str:
        """The token to forward, after the provider sent the person back with a code."""
        answer = await self.client.authorize_access_token(request)
        token = answer.get(self.settings.oidc_forward_token)
        if not isinstance(token, str):
            raise ValueError(f"the identity provider sent no {self.settings.oidc_forward_token}")
        return token
