"""Courses keeps its own copy of the narrow workflow rule (no service imports another): it
must agree with triage's, which decides the workflow on the routing decisions."""

from __future__ import annotations

from services.courses.domain.workflow import workflow_for_age
from services.triage.domain import workflow as triage_workflow


def test_courses_copy_agrees_with_triage_s_rule() -> None:
    for age in range(0, 131):
        assert workflow_for_age(age) == triage_workflow.workflow_for_age(age)
