"""Issue 18 over HTTP: an erased person's course answers 404 exactly like an unknown one and
leaves the lists; its text was readable before; the auditor's erasure report counts what
courses' retention erased (counts only)."""

from __future__ import annotations

from datetime import UTC, datetime

from services.courses.settings import CoursesSettings
from tests.support import bearer
from tests.unit.courses.erasure_support import close_trivsel, erase, start_trivsel, text_of
from tests.unit.courses.test_courses_http import Api, api

__all__ = ["api"]  # the fixture, shared with test_courses_http


async def test_an_erased_persons_course_is_gone_from_every_read(api: Api) -> None:
    course = start_trivsel(api.service, "pk_a")
    path = f"/v1/courses/{course.id}"
    before = await api.get(path)
    assert before["rationale"] == text_of("pk_a", "rationale")
    assert before["goals"][0]["description"] == text_of("pk_a", "goal")

    erase(api.service, "pk_a")

    assert await api.get(path, expect=404) == await api.get(
        "/v1/courses/00000000-0000-0000-0000-000000000000", expect=404
    )
    await api.get(f"{path}/events", expect=404)
    listed = await api.get("/v1/courses", municipality_code="607", status="all")
    assert listed["courses"] == []
    refused = await api.http.post(
        f"/v1/trivsel-courses/{course.id}/place-on-step",
        json={"expected_version": 2, "step": 3, "rationale": "x"},
    )
    assert refused.status_code == 404


async def test_the_erasure_report_counts_what_retention_erased(
    api: Api, settings: CoursesSettings
) -> None:
    close_trivsel(api.service, start_trivsel(api.service, "pk_a"))
    api.service.retention(datetime(2032, 1, 1, tzinfo=UTC))
    auditor = bearer(settings, "auditor", [])
    response = await api.http.get("/v1/erasures/report", headers=auditor)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "rows": [{"kind": "course", "month": "2032-01", "reason": "retention_deadline", "count": 1}]
    }
    tovholder = await api.http.get("/v1/erasures/report")
    assert tovholder.status_code == 403
