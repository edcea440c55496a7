"""Failure kinds the consumer runtime distinguishes."""

from __future__ import annotations


class PoisonMessage(Exception):
    """A message that can never be processed (malformed, unknown version). Retrying is pointless:
    it goes straight to the dead-letter topic. The reason must not contain personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def describe_failure(exc: BaseException) -> str:
    """A description safe for logs and the dead-letter record: our own reasons verbatim,
    other exceptions by type only (their messages may echo input)."""
    if isinstance(exc, PoisonMessage):
        return exc.reason
    return type(exc).__name__
