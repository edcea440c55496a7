"""Every id a service derives from a name: `uuid5` of the name in a namespace of the service's
own (`uuid5(NAMESPACE_URL, "urn:ssp:...")`). The same name always gives the same id, so an
aggregate is found by what identifies it (a journal number, a person key) and a message
delivered twice makes the same decision, task or rejection id. Ids stored and published are
these uuid5 values: the namespaces and the names' shapes must never change.

An aggregate found by the fields it is created with declares its `create_id` with `keyed_id`
(`create_id = keyed_id(_IDS, "person_key", prefix="cases")`) instead of writing it out."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, overload
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import CanInitAggregate, DomainEventProtocol


class IdSpace:
    """The ids of one namespace: `IdSpace("urn:ssp:triage")("incident:…")`."""

    def __init__(self, urn: str) -> None:
        self.namespace = uuid5(NAMESPACE_URL, urn)

    def __call__(self, name: str) -> UUID:
        return uuid5(self.namespace, name)

    def text(self, name: str) -> str:
        """The id as published in a contract field (its canonical text)."""
        return str(uuid5(self.namespace, name))


IdOfName = Callable[[str], UUID]
"""An `IdSpace`, or a function over one (triage's cached `aggregate_id`)."""

# `staticmethod` is generic to type checkers only: Python 3.11 cannot subscript it.
if TYPE_CHECKING:
    _IdStaticMethod = staticmethod[..., UUID]
else:
    _IdStaticMethod = staticmethod


class KeyedId(_IdStaticMethod):
    """An aggregate's `create_id`, declared as the names of the fields that key it (see
    `keyed_id`). When its class is defined it checks that every event creating the aggregate
    has those fields: eventsourcing derives a new aggregate's id by passing `create_id` the
    creation fields its parameters name, so a key it could not find would only fail (or
    pass nothing) when the first aggregate is created."""

    def __init__(self, ids: IdOfName, keys: tuple[str, ...], prefix: str | None) -> None:
        if not keys or len(set(keys)) != len(keys):
            raise TypeError(f"keyed_id needs distinct key names, got {keys!r}")
        self.keys = keys
        template = ":".join("{}" for _ in keys)
        template = template if prefix is None else f"{prefix}:{template}"
        signature = inspect.Signature(
            [inspect.Parameter(key, inspect.Parameter.POSITIONAL_OR_KEYWORD) for key in keys]
        )

        def create_id(*values: object, **named: object) -> UUID:
            if named or len(values) != len(keys):
                # eventsourcing passes the keys by name when it creates an aggregate.
                values = signature.bind(*values, **named).args
            # str.format formats each value as the f-strings these ids were written with did.
            return ids(template.format(*values))

        # eventsourcing reads the parameters' names from the signature (see the class doc).
        create_id.__signature__ = signature  # type: ignore[attr-defined]
        super().__init__(create_id)

    def __set_name__(self, owner: type, name: str) -> None:
        self.__func__.__module__ = owner.__module__
        self.__func__.__qualname__ = f"{owner.__qualname__}.{name}"
        fields = _creation_fields(owner)
        if not fields:
            raise TypeError(f"{owner.__qualname__}.{name}: found no event creating the aggregate")
        for event_name, names in fields.items():
            missing = [key for key in self.keys if key not in names]
            if missing:
                raise TypeError(
                    f"{owner.__qualname__}.{name} is keyed by {', '.join(missing)}, "
                    f"which {owner.__qualname__}'s creation event {event_name} lacks"
                )


def _creation_fields(owner: type) -> dict[str, set[str]]:
    """The field names of each event that creates `owner`, as its class body declares them:
    a nested created-event class (its annotations, inherited ones too), or an `__init__`
    decorated with `@event("Name")` (its parameters)."""
    fields: dict[str, set[str]] = {}
    for attribute in vars(owner).values():
        if isinstance(attribute, type) and issubclass(attribute, CanInitAggregate):
            fields[attribute.__qualname__] = {
                field
                for base in attribute.__mro__
                for field in vars(base).get("__annotations__", {})
            }
    init = getattr(vars(owner).get("__init__"), "decorated_func", None)
    if init is not None:
        fields[f"{owner.__qualname__}.__init__"] = set(inspect.signature(init).parameters)
    return fields


@overload
def keyed_id(
    ids: IdOfName, key: str, /, *, prefix: str | None = None
) -> staticmethod[[str], UUID]: ...
@overload
def keyed_id(
    ids: IdOfName, key_1: str, key_2: str, /, *, prefix: str | None = None
) -> staticmethod[[str, str], UUID]: ...
@overload
def keyed_id(
    ids: IdOfName, key_1: str, key_2: str, key_3: str, /, *, prefix: str | None = None
) -> staticmethod[[str, str, str], UUID]: ...
def keyed_id(ids: IdOfName, /, *keys: str, prefix: str | None = None) -> staticmethod[..., UUID]:
    """An aggregate's `create_id`, from the creation fields that key it: the id of the name
    `prefix:key_1:key_2…` (without `prefix:` when there is none) in `ids`.

    Why it exists: most aggregates are found by the fields they are created with (a journal
    number, a person key), and each used to write the same `@staticmethod create_id` by hand.
    Written once here, an aggregate states only its name scheme,
    `create_id = keyed_id(_IDS, "person_key", prefix="cases")`, which stands for
    `_IDS(f"cases:{person_key}")`: the names, and so the stored ids, are the same as the
    hand-written ones made. It takes the keys by position, or by name: eventsourcing, creating
    an aggregate without an explicit id, reads their names from its signature and passes the
    creation fields so named. Typed by the number of keys (each a `str`), so callers are checked
    as before; an id from something else (a date, a nested field) stays a hand-written
    `create_id`."""
    return KeyedId(ids, keys, prefix)


def published_event_id(event: DomainEventProtocol[UUID]) -> str:
    """The `event_id` a stored event is published under: `uuid5` of its aggregate's id and its
    version. The same stored event always gives the same id, so a consumer de-duplicating by it
    drops a copy the relay published twice. Courses, triage and notifications publish their
    stored events this way; the name's shape must never change."""
    return str(uuid5(event.originator_id, str(event.originator_version)))
