"""Commands on an aggregate name the version they were issued against: another current version
is a conflict (HTTP 409 `version_conflict`), before the command runs and when saving it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import IntegrityError

from services.courses.domain.course import VersionConflict


def require_version(current: int, expected: int, what: str) -> None:
    if current != expected:
        raise VersionConflict(
            f"the {what} changed since that version",
            expected_version=expected,
            current_version=current,
        )


@contextmanager
def saved_once(expected: int, what: str) -> Iterator[None]:
    """Around the commit: another process that saved the same version first is a conflict."""
    try:
        yield
    except IntegrityError:
        raise VersionConflict(
            f"the {what} was changed concurrently", expected_version=expected
        ) from None
