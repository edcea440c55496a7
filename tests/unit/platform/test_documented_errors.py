"""A route's OpenAPI lists the error statuses it can answer in the platform's error shape, also
for the parameters it takes through a dependency (a looked-up record's id), exactly as for the
same parameter taken by the route itself."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI

from shared.errors import document_errors

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}


async def _record(record_id: str) -> str:
    return record_id


def _responses() -> dict[str, dict[str, Any]]:
    api = FastAPI()

    @api.get("/v1/records/{record_id}")
    async def read(found: Annotated[str, Depends(_record)]) -> str:
        return found

    @api.get("/v1/own/{record_id}")
    async def read_own(record_id: str) -> str:
        return record_id

    document_errors(api)
    paths = api.openapi()["paths"]
    return {path: paths[path]["get"]["responses"] for path in paths}


def test_a_path_parameter_taken_through_a_dependency_documents_404_and_422() -> None:
    responses = _responses()["/v1/records/{record_id}"]
    assert responses["422"]["content"]["application/json"]["schema"] == ERROR_BODY
    assert responses["404"]["content"]["application/json"]["schema"] == ERROR_BODY


def test_it_is_documented_as_the_same_parameter_of_the_route_itself() -> None:
    responses = _responses()
    through_dependency = responses["/v1/records/{record_id}"]
    own = responses["/v1/own/{record_id}"]
    assert set(through_dependency) == set(own)
    for status in set(own) - {"200"}:  # 200's schema title is named after the route
        assert through_dependency[status] == own[status]
