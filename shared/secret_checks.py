"""What production refuses in a secret or key setting: missing, empty, a placeholder, or not
an AES-256 key. Each check names the setting and never says its value."""

from __future__ import annotations

import base64
import binascii
import re

from pydantic import SecretStr

_PLACEHOLDER_STARTS = (
    "changeme",
    "replaceme",
    "placeholder",
    "todo",
    "fixme",
    "example",
    "dummy",
    "insecure",
    "development",
    "devsecret",
    "secret",
    "password",
    "your",
    "xxxx",
)
# What a generated key looks like (base64 or base64url of 30 bytes or more, many distinct
# characters): such a value is never taken for a placeholder, even when a random key happens
# to begin with "Todo" or "your" (a 32-byte key does, about once in 300,000).
_GENERATED_KEY = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}|[A-Za-z0-9_-]{40,}={0,2}")


def secret_problem(name: str, value: SecretStr | str | None) -> str | None:
    """What is wrong with a production secret: missing, empty or a placeholder (None: fine).
    Never says the value. A placeholder is what people write instead of a secret ("changeme",
    "<your secret>", "${SECRET}", "xxxxxxxx", "REPLACE_ME", ...)."""
    if value is None:
        return f"{name} is missing"
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not text.strip():
        return f"{name} is empty"
    letters = re.sub(r"[^a-z0-9]", "", text.lower())
    if (
        "<" in text
        or "${" in text
        or len(set(text)) <= 2
        or (letters.startswith(_PLACEHOLDER_STARTS) and not _generated_key(text))
    ):
        return f"{name} is a placeholder, not a secret"
    return None


def listed_keys(keys: SecretStr | None) -> list[str]:
    """The base64 keys of a comma-separated setting (retired wrapping keys)."""
    text = keys.get_secret_value() if keys is not None else ""
    return [k.strip() for k in text.split(",") if k.strip()]


def key_problem(name: str, text: str) -> str | None:
    """What is wrong with an AES-256 key setting (None: it is the base64 of 32 bytes). Never
    says the value."""
    try:
        key = base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        key = b""
    return None if len(key) == 32 else f"{name} is not the base64 of a 32-byte key"


def listed_keys_problem(name: str, keys: SecretStr | None) -> str | None:
    """What is wrong with the first key of a comma-separated setting that is not an AES-256
    key (None: every one is)."""
    problems = (key_problem(name, key) for key in listed_keys(keys))
    return next((problem for problem in problems if problem is not None), None)


def _generated_key(text: str) -> bool:
    return _GENERATED_KEY.fullmatch(text) is not None and len(set(text)) >= 16
