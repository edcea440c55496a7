"""Every id a service derives from a name: `uuid5` of the name in a namespace of the service's
own (`uuid5(NAMESPACE_URL, "urn:ssp:...")`). The same name always gives the same id, so an
aggregate is found by what identifies it (a journal number, a person key) and a message
delivered twice makes the same decision, task or rejection id. Ids stored and published are
these uuid5 values: the namespaces and the names' shapes must never change."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5


class IdSpace:
    """The ids of one namespace: `IdSpace("urn:ssp:triage")("incident:…")`."""

    def __init__(self, urn: str) -> None:
        self.namespace = uuid5(NAMESPACE_URL, urn)

    def __call__(self, name: str) -> UUID:
        return uuid5(self.namespace, name)

    def text(self, name: str) -> str:
        """The id as published in a contract field (its canonical text)."""
        return str(uuid5(self.namespace, name))
