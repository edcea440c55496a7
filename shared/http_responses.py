"""A route's documented answers written as what each status means there, without FastAPI's
`{"description": …}` wrapping around every one:

    @router.post("/{task_id}/send", responses=described({404: "no such task in your reach"}))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Responses = dict[int | str, dict[str, Any]]
"""FastAPI's `responses=`: each status with what it means there."""


def described(meanings: Mapping[int, str]) -> Responses:
    """`responses=` for a route: each status (in the order given) with what it means there."""
    return {status: {"description": meaning} for status, meaning in meanings.items()}
