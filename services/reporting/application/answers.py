"""What a query found about one thing (a journal number, a person), and whether the caller may
see it: the HTTP layer answers 404 alike for nothing known and for what is out of reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.auth import Decision

T = TypeVar("T")


@dataclass(frozen=True)
class Answer(Generic[T]):
    known: bool
    """Anything is known about it."""
    decision: Decision
    """Whether the caller may see it at all."""
    found: T | None = None
    """What the caller may see of it; None unless known and allowed."""


NOTHING_KNOWN: Answer[Any] = Answer(known=False, decision=Decision(False, "not_found"))
