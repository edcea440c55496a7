"""What reporting's routes take: a guarded read (the admitted caller, and the store's thread
the read models are read in) and the path values they validate (a municipality code, and a
municipality's ISO week). Shared by the read-model routes (http.py) and the review export's
(review_http.py).

No `from __future__ import annotations` here: FastAPI reads `guarded_read`'s annotations, which
name its closure's `action` and `read_side`, and string annotations could not see them."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from services.reporting.application.access_policy import ReportingAction
from services.reporting.application.answers import Answer
from services.reporting.application.queries import ReportingQueries
from services.reporting.application.review import Reviews
from services.reporting.domain.weeks import InvalidIsoWeek, IsoWeek
from shared.auth import Access, Principal, guard
from shared.contracts.municipalities import UNKNOWN_MUNICIPALITY, is_municipality_code
from shared.errors import error_body
from shared.http import from_app
from shared.http_responses import described
from shared.runtime import Ctx, ServiceContext

_MUNICIPALITY_CODE = re.compile(r"[0-9]{3}")
T = TypeVar("T")
ReadSide = TypeVar("ReadSide", ReportingQueries, Reviews)
"""What a route reads: the read models' queries, or the review export's."""

NOT_IN_REACH = described({404: "no such person in the caller's reach"})
BAD_MUNICIPALITY_OR_WEEK = described({422: "bad municipality code or ISO week"})


class InvalidParameter(HTTPException):
    """A bad path parameter: the field and why, never the input echoed back (the shape of
    shared.http's 422 bodies)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(422, detail=message)
        self.problem = {"field": field, "code": code, "message": message}


async def invalid_parameter(_: Request, exc: InvalidParameter) -> JSONResponse:
    problem = exc.problem
    body = error_body("invalid_request", problem["message"], problem["field"], problems=[problem])
    return JSONResponse(body, status_code=422)


def checked_municipality(municipality_code: str) -> str:
    """A Danish municipality code, else 422 naming the field."""
    if _MUNICIPALITY_CODE.fullmatch(municipality_code) is None:
        raise InvalidParameter(
            "municipality_code", "municipality_code", "a municipality code is three digits"
        )
    if not is_municipality_code(municipality_code):
        raise InvalidParameter(
            "municipality_code", UNKNOWN_MUNICIPALITY, "not a Danish municipality code"
        )
    return municipality_code


@dataclass(frozen=True)
class MunicipalityWeek:
    """The `/{municipality_code}/{iso_week}` of a municipality's weekly listing, validated."""

    municipality_code: str
    week: IsoWeek


def municipality_week(municipality_code: str, iso_week: str) -> MunicipalityWeek:
    """The path's municipality and week, else 422 naming the bad one (the code first)."""
    checked_municipality(municipality_code)
    try:
        return MunicipalityWeek(municipality_code, IsoWeek.parse(iso_week))
    except InvalidIsoWeek as exc:
        raise InvalidParameter("iso_week", "iso_week", str(exc)) from None


ListedWeek = Annotated[MunicipalityWeek, Depends(municipality_week)]
"""A route's municipality and ISO week. Declare it after the route's guarded read: the guard
answers 401/403 before a bad path value gets its 422."""


@dataclass(frozen=True)
class GuardedRead(Generic[ReadSide]):
    """One admitted request's read: the caller (`access`, audited when the route ends) and
    the read side it reads, run in the store's thread."""

    access: Access
    ctx: ServiceContext
    reads: ReadSide

    @property
    def principal(self) -> Principal:
        return self.access.principal

    async def in_store(self, read: Callable[..., T], *args: Any) -> T:
        found: T = await self.ctx.in_store(read, *args)
        return found

    async def answer(self, query: Callable[..., Answer[T]], *args: Any) -> T:
        """What `query(*args)` found, in the store's thread, when the caller may see it: 404
        alike for nothing known and for what is out of reach (the refusal is audited)."""
        answer = await self.in_store(query, *args)
        if not answer.known:
            raise self.access.not_found()
        if answer.found is None:
            await self.access.refuse(answer.decision, conceal=True)
        return answer.found


def reading(action: ReportingAction, read_side: str = "queries") -> Any:
    """The dependency of a route that reads, guarded by `action`; `read_side`: what it reads,
    as `create_http_app` gave it to the app ("queries" or "reviews"). One guard per route:
    `read: Annotated[QueriesRead, reading(ReportingAction.READ_TRACE)]`."""

    async def guarded_read(
        access: Annotated[Access, guard(action)],
        ctx: Ctx,
        reads: Annotated[Any, from_app(read_side)],
    ) -> GuardedRead[Any]:
        return GuardedRead(access, ctx, reads)

    return Depends(guarded_read)


QueriesRead = GuardedRead[ReportingQueries]
"""A read of the read models' queries."""
