"""The other services' HTTP APIs, called with the user's own token (httpx): need-to-know is
decided where the data is, never here. Each read states its purpose (`X-Purpose`), which the
services audit."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack
from urllib.parse import quote

import httpx

from shared.auth.audit_merge import Collected, collect


class ApiError(Exception):
    """A service refused or failed: its status and error code (the console says it in Danish)."""

    def __init__(
        self, service: str, status: int, code: str | None = None, body: Any = None
    ) -> None:
        super().__init__(f"{service} answered {status} ({code or '-'})")
        self.service = service
        self.status = status
        self.code = code
        self.body = body
        """The answer's JSON body, when it had one (e.g. intake's problems by field)."""


class CallOptions(TypedDict, total=False):
    purpose: str | None
    """Why the user reads it (`X-Purpose`, audited by the service); None: not a read of
    personal data."""
    params: dict[str, str] | None
    json: Any
    content: bytes | None
    """A body sent as it is (e.g. a corrected incident, JSON the user typed)."""


class PlatformApi:
    def __init__(self, urls: dict[str, str], client: httpx.AsyncClient) -> None:
        self.urls = {name: url.rstrip("/") for name, url in urls.items()}
        self.client = client

    async def _call(
        self, service: str, method: str, path: str, token: str, **options: Unpack[CallOptions]
    ) -> Any:
        """The service's JSON answer."""
        return (await self._request(service, method, path, token, **options)).json()

    async def _request(
        self, service: str, method: str, path: str, token: str, **options: Unpack[CallOptions]
    ) -> httpx.Response:
        purpose = options.get("purpose")
        headers = {"Authorization": f"Bearer {token}"}
        if purpose is not None:
            headers["X-Purpose"] = purpose
        try:
            response = await self.client.request(
                method,
                f"{self.urls[service]}{path}",
                headers=headers,
                params=options.get("params"),
                json=options.get("json"),
                content=options.get("content"),
            )
        except httpx.HTTPError:
            raise ApiError(service, 503, "unreachable") from None
        if response.status_code >= 400:
            code, body = None, None
            try:
                body = response.json()
                if isinstance(body, dict):
                    code = body.get("error") if isinstance(body.get("error"), str) else None
            except ValueError:
                pass
            raise ApiError(service, response.status_code, code, body)
        return response

    # --- reporting -----------------------------------------------------------------------
    async def handover(self, token: str, municipality: str, week: str, purpose: str) -> Any:
        return await self._call(
            "reporting", "GET", f"/v1/handover/{municipality}/{week}", token, purpose=purpose
        )

    async def statistics(self, token: str, municipality: str, week: str) -> Any:
        return await self._call("reporting", "GET", f"/v1/statistics/{municipality}/{week}", token)

    async def trace(self, token: str, journal_number: str, purpose: str) -> Any:
        return await self._call(
            "reporting", "GET", f"/v1/trace/{quote(journal_number, safe='')}", token,
            purpose=purpose,
        )  # fmt: skip

    async def person_concerns(self, token: str, person_key: str, purpose: str) -> Any:
        return await self._call(
            "reporting", "GET", f"/v1/persons/{person_key}/concerns", token, purpose=purpose
        )

    async def co_registered(self, token: str, person_key: str, purpose: str) -> Any:
        return await self._call(
            "reporting", "GET", f"/v1/persons/{person_key}/co-registered", token, purpose=purpose
        )

    async def review_sample(
        self, token: str, municipality: str, year: int, size: int, seed: int, purpose: str
    ) -> Any:
        return await self._call(
            "reporting", "GET", f"/v1/reviews/samples/{municipality}/{year}", token,
            purpose=purpose, params={"size": str(size), "seed": str(seed)},
        )  # fmt: skip

    async def person_review(self, token: str, person_key: str, purpose: str, pdf: bool) -> bytes:
        """One person's review export: the JSON document or the PDF, as reporting gives it."""
        path = f"/v1/reviews/persons/{quote(person_key, safe='')}" + ("/pdf" if pdf else "")
        response = await self._request("reporting", "GET", path, token, purpose=purpose)
        return response.content

    async def named_person_review_pdf(
        self, token: str, person_key: str, purpose: str, name: str
    ) -> bytes:
        """The review PDF with the child's name (one the user resolved at intake)."""
        path = f"/v1/reviews/persons/{quote(person_key, safe='')}/pdf"
        response = await self._request(
            "reporting", "POST", path, token, purpose=purpose, json={"name": name}
        )
        return response.content

    async def person_timeline(
        self, token: str, person_key: str, purpose: str, offset: int, limit: int
    ) -> Any:
        return await self._call(
            "reporting", "GET", f"/v1/persons/{quote(person_key, safe='')}/timeline", token,
            purpose=purpose, params={"offset": str(offset), "limit": str(limit)},
        )  # fmt: skip

    async def audit_trail_of(self, token: str, person_key: str, purpose: str) -> Collected:
        """Every service's audit entries about the person, merged by time (what `ssp audit
        export` prints), asked with the user's own token: only an auditor's is answered."""
        return await collect(
            self.client,
            self.urls,
            f"/v1/audit/export/{quote(person_key, safe='')}",
            {"Authorization": f"Bearer {token}", "X-Purpose": purpose},
        )

    # --- triage --------------------------------------------------------------------------
    async def decisions(self, token: str, journal_number: str, purpose: str) -> Any:
        return await self._call(
            "triage", "GET", f"/v1/decisions/{quote(journal_number, safe='')}", token,
            purpose=purpose,
        )  # fmt: skip

    async def revise_at_meeting(
        self, token: str, journal_number: str, person_key: str, body: dict[str, Any]
    ) -> Any:
        path = f"/v1/decisions/{quote(journal_number, safe='')}/persons/{person_key}"
        return await self._call("triage", "POST", f"{path}/meeting-revision", token, json=body)

    async def minutes(self, token: str, municipality: str, week: str, purpose: str) -> Any:
        return await self._call(
            "triage", "GET", f"/v1/meetings/{municipality}/{week}", token, purpose=purpose
        )

    async def meeting_concerns(self, token: str, municipality: str, week: str, purpose: str) -> Any:
        return await self._call(
            "triage", "GET", f"/v1/meetings/{municipality}/{week}/concerns", token, purpose=purpose
        )

    async def agree_action(
        self, token: str, municipality: str, week: str, body: dict[str, Any]
    ) -> Any:
        return await self._call(
            "triage", "POST", f"/v1/meetings/{municipality}/{week}/actions", token, json=body
        )

    async def record_note(
        self, token: str, municipality: str, week: str, body: dict[str, Any]
    ) -> Any:
        return await self._call(
            "triage", "POST", f"/v1/meetings/{municipality}/{week}/notes", token, json=body
        )

    # --- notifications -------------------------------------------------------------------
    async def letter_tasks(
        self,
        token: str,
        municipality: str,
        status: str,
        purpose: str,
        escalated_to: str | None = None,
    ) -> Any:
        """The municipality's tasks of `status`; with `escalated_to`, only those escalated to
        that level (`team_leader`: the team leader's worklist)."""
        params = {"municipality_code": municipality, "status": status}
        if escalated_to is not None:
            params["escalated_to"] = escalated_to
        return await self._call(
            "notifications", "GET", "/v1/letter-tasks", token, purpose=purpose, params=params
        )

    async def letter_escalations(self, token: str, municipality: str) -> Any:
        """Counts only: tasks past their deadline, escalated to the team leader, and still
        open at twice their deadline (management's view)."""
        return await self._call(
            "notifications", "GET", "/v1/letter-tasks/escalations", token,
            params={"municipality_code": municipality},
        )  # fmt: skip

    async def complete_task(self, token: str, task_id: str) -> Any:
        return await self._call(
            "notifications", "POST", f"/v1/letter-tasks/{quote(task_id, safe='')}/complete", token
        )

    async def waive_task(self, token: str, task_id: str, reason: str) -> Any:
        return await self._call(
            "notifications",
            "POST",
            f"/v1/letter-tasks/{quote(task_id, safe='')}/waive",
            token,
            json={"reason": reason},
        )

    async def letter_pdf(self, token: str, task_id: str, purpose: str) -> bytes:
        """The task's letter as PDF, rendered by notifications (which audits the read)."""
        response = await self._request(
            "notifications", "GET", f"/v1/letter-tasks/{quote(task_id, safe='')}/letter.pdf",
            token, purpose=purpose,
        )  # fmt: skip
        if not response.headers.get("content-type", "").startswith("application/pdf"):
            raise ApiError("notifications", 502, "not_a_pdf")
        return response.content

    async def send_letter(self, token: str, task_id: str) -> Any:
        return await self._call(
            "notifications", "POST", f"/v1/letter-tasks/{quote(task_id, safe='')}/send", token
        )

    async def record_assessment(self, token: str, body: dict[str, Any]) -> Any:
        return await self._call("notifications", "POST", "/v1/assessments", token, json=body)

    async def record_family_meeting(self, token: str, body: dict[str, Any]) -> Any:
        return await self._call(
            "notifications", "POST", "/v1/assessments/family-meeting", token, json=body
        )

    async def send_letters(self, token: str, task_ids: list[str]) -> Any:
        return await self._call(
            "notifications", "POST", "/v1/letter-tasks/send", token, json={"task_ids": task_ids}
        )

    # --- courses -------------------------------------------------------------------------
    async def courses(self, token: str, municipality: str, purpose: str) -> Any:
        return await self._call(
            "courses", "GET", "/v1/courses", token, purpose=purpose,
            params={"municipality_code": municipality, "status": "open"},
        )  # fmt: skip

    async def course(self, token: str, course_id: str, purpose: str) -> Any:
        return await self._call(
            "courses", "GET", f"/v1/courses/{quote(course_id, safe='')}", token, purpose=purpose
        )

    async def record_follow_up(self, token: str, body: dict[str, Any]) -> Any:
        return await self._call("courses", "POST", "/v1/follow-ups", token, json=body)

    async def follow_ups(
        self, token: str, municipality: str, owner: str | None, status: str, purpose: str
    ) -> Any:
        params = {"municipality_code": municipality, "status": status}
        if owner is not None:
            params["owner"] = owner
        return await self._call(
            "courses", "GET", "/v1/follow-ups", token, purpose=purpose, params=params
        )

    # --- intake --------------------------------------------------------------------------
    async def resolve_meeting(
        self, token: str, meeting: str, person_keys: list[str], purpose: str
    ) -> Any:
        return await self._resolve_batch(token, {"meeting": meeting}, person_keys, purpose)

    async def resolve_review(
        self, token: str, review: str, person_keys: list[str], purpose: str
    ) -> Any:
        """The names behind a review sample's pseudonyms (`review`: `607/2026`), in one step."""
        return await self._resolve_batch(token, {"review": review}, person_keys, purpose)

    async def _resolve_batch(
        self, token: str, scope: dict[str, str], person_keys: list[str], purpose: str
    ) -> Any:
        """Intake's names behind the pseudonyms of one meeting or one review sample (`scope`)."""
        return await self._call(
            "intake", "POST", "/v1/identities/resolve-batch", token,
            json={**scope, "purpose": purpose, "person_keys": person_keys},
        )  # fmt: skip

    async def open_rejections(self, token: str, purpose: str, offset: int, limit: int) -> Any:
        return await self._call(
            "intake", "GET", "/v1/rejected", token, purpose=purpose,
            params={"offset": str(offset), "limit": str(limit)},
        )  # fmt: skip

    async def rejected(self, token: str, reference: str, purpose: str) -> Any:
        return await self._call(
            "intake", "GET", f"/v1/rejected/{quote(reference, safe='')}", token, purpose=purpose
        )

    async def resubmit(self, token: str, reference: str, document: bytes) -> Any:
        """The corrected incident; a still-invalid one raises ApiError 422 with the problems
        in its body."""
        return await self._call(
            "intake", "POST", f"/v1/rejected/{quote(reference, safe='')}/resubmit", token,
            content=document,
        )  # fmt: skip

    async def register_concern(self, token: str, concern: dict[str, Any]) -> Any:
        """Registered (or a duplicate); a rejected one raises ApiError 422 with the problems
        and the reference it is kept under in its body."""
        return await self._call("intake", "POST", "/v1/concerns", token, json=concern)

    async def concern(self, token: str, concern_id: str, purpose: str) -> Any:
        return await self._call(
            "intake", "GET", f"/v1/concerns/{quote(concern_id, safe='')}", token, purpose=purpose
        )
