"""Stored events name their class by topic (`module:Class`); eventsourcing resolves a stored
event by that topic. Splitting a module must leave every aggregate and event class where the
events already stored say it is."""

from __future__ import annotations

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic, resolve_topic

from services.courses.domain.exit_programme import ExitProgramme
from services.courses.domain.trivsel import TrivselCourse
from services.notifications.domain.letter_task_case import LetterTaskCase

STORED_MODULES = {
    LetterTaskCase: "services.notifications.domain.letter_task_case",
    TrivselCourse: "services.courses.domain.trivsel",
    ExitProgramme: "services.courses.domain.exit_programme",
}


@pytest.mark.parametrize("aggregate", list(STORED_MODULES), ids=lambda cls: cls.__name__)
def test_events_keep_the_topics_they_are_stored_under(aggregate: type[Aggregate]) -> None:
    module = STORED_MODULES[aggregate]
    events = [
        value
        for value in vars(aggregate).values()
        if isinstance(value, type) and issubclass(value, Aggregate.Event)
    ]
    assert events
    assert get_topic(aggregate) == f"{module}:{aggregate.__name__}"
    for event_class in events:
        topic = f"{module}:{aggregate.__name__}.{event_class.__name__}"
        assert get_topic(event_class) == topic
        assert resolve_topic(topic) is event_class
