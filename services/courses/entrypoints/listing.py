"""The dependency of the routes that list a municipality's records: the caller may list the
municipality (403 otherwise), and a list of persons shows those in the caller's reach, audited
with their persons.

(No `from __future__ import annotations` here: the dependency's annotations name `action`,
which FastAPI must read as it is, not as a string to look up in the module.)"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends

from shared.auth import Access, Action, Resource, guard
from shared.http import MunicipalityQuery


class _PersonInMunicipality(Protocol):
    @property
    def person_key(self) -> str: ...

    @property
    def municipality_code(self) -> str: ...


Listed = TypeVar("Listed", bound=_PersonInMunicipality)


@dataclass(frozen=True)
class MunicipalityListing:
    """A list route's caller, admitted to list `municipality_code`."""

    access: Access
    municipality_code: str

    @classmethod
    async def admit(cls, access: Access, municipality_code: str) -> "MunicipalityListing":
        await access.require_listing(municipality_code)
        return cls(access, municipality_code)

    def of_persons(
        self, name: str, found: list[Listed], body: Callable[[Listed], dict[str, Any]]
    ) -> dict[str, Any]:
        """A municipality's list of persons (eligibility, referrals) as the caller may see it:
        each in one of the caller's municipalities, audited with its person."""
        shown = [f for f in found if self.access.permits(Resource.of(f.municipality_code))]
        self.access.note(
            term=self.municipality_code, person_keys=[f.person_key for f in shown], count=len(shown)
        )
        return {"municipality_code": self.municipality_code, name: [body(f) for f in shown]}


def listing(action: Action) -> Any:
    """`Annotated[MunicipalityListing, listing(SomeAction.X)]`: the route is guarded by `action`
    and takes the municipality as the query parameter `municipality_code`.

    A route with query parameters of its own calls `MunicipalityListing.admit` instead: FastAPI
    documents a route's own parameters before its dependencies', and `municipality_code` is
    documented first."""

    async def municipality_listing(
        municipality_code: MunicipalityQuery, access: Annotated[Access, guard(action)]
    ) -> MunicipalityListing:
        return await MunicipalityListing.admit(access, municipality_code)

    return Depends(municipality_listing)
