"""Issue 18 in notifications' aggregates: a person's letter task case and caseworker record
forget the person, once, when the person is erased."""

from __future__ import annotations

from typing import Any, Protocol


class _PersonsAggregate(Protocol):
    """What `erase` needs of the aggregate: whether it forgot, and its own `Erased` event."""

    @property
    def erased(self) -> bool: ...

    @property
    def Erased(self) -> type[Any]: ...

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...


class ForgetsErasedPerson:
    """Mixed into an aggregate of one person: its `Erased` event says what it forgets (and
    holds nothing about them), its `erased` whether it has."""

    def erase(self: _PersonsAggregate) -> bool:
        """The person was erased: forget them; False when that was done before."""
        if self.erased:
            return False
        self.trigger_event(self.Erased)
        return True
