"""What the letter-task routes (`http.py`, `letters_http.py`) share: a task's answer body,
the resource a task is to the access policy, and `TaskCall`, the one dependency each route
takes for its caller's access and the service it acts through."""

# No `from __future__ import annotations`: FastAPI reads the annotations of `task_call`'s
# dependency, and they name the closure's `action`, which a postponed annotation cannot find.
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends

from services.notifications.application.access_policy import NotificationsAction
from services.notifications.application.service import NotificationsService
from services.notifications.application.task_index import status_of
from services.notifications.domain.acute_letter import is_group_letter
from shared.auth import Access, DataKind, Resource, guard
from shared.contracts import LetterTaskEvent
from shared.http import from_app
from shared.http_responses import described
from shared.runtime import Ctx, ServiceContext

POLICE_OWNER = "police_ssp_coordinator"
"""The owner role a municipality profile gives the police's SSP coordinator."""

TASK_NOT_IN_REACH = described({404: "no such task in your reach"})
"""The documented answer of a route that looks its task up with `TaskCall.task_in_reach`."""

Service = Annotated[NotificationsService, from_app("service")]


def task_body(letter: LetterTaskEvent) -> dict[str, Any]:
    """The task's latest event (contracts.md §5) and the status it leaves the task in."""
    return {**letter.model_dump(mode="json"), "status": status_of(letter)}


def task_resource(letter: LetterTaskEvent) -> Resource:
    """A person's task follows a routing decision or a caseworker's assessment: it reveals
    social services' involvement, unless the profile made the police's coordinator its owner
    (then it names the person, by pseudonym, and no more). The acute procedure's letter to a
    group names no person."""
    if is_group_letter(letter):
        kind = DataKind.RECORD
    elif letter.owner_role == POLICE_OWNER:
        kind = DataKind.PSEUDONYM
    else:
        kind = DataKind.SOCIAL_SERVICES
    return Resource.of(letter.municipality_code, kind=kind)


@dataclass(frozen=True)
class TaskCall:
    """One call of a letter-task route: the caller's access (its guard admitted the route's
    action), the context whose store thread runs the use cases, and the service."""

    access: Access
    ctx: ServiceContext
    service: NotificationsService

    async def task_in_reach(self, task_id: str) -> LetterTaskEvent:
        """The task's latest event, audited with its person, if the caller may act on it;
        else the same 404 as for a task that does not exist."""
        found: LetterTaskEvent = self.access.found(
            await self.ctx.in_store(self.service.task, task_id)
        )
        self.access.note(person_keys=[found.person_key])
        await self.access.require(task_resource(found), conceal=True)
        return found


def task_call(action: NotificationsAction) -> Any:
    """A route's dependency on its call, guarded for `action`:
    `Completing = Annotated[TaskCall, task_call(NotificationsAction.COMPLETE_LETTER_TASK)]`."""

    async def admitted(
        access: Annotated[Access, guard(action)], ctx: Ctx, service: Service
    ) -> TaskCall:
        return TaskCall(access, ctx, service)

    return Depends(admitted)
