"""Every service's transcoder encodes with `shared.eventstore.transcoder.StateEncoder`: the C
encoder built once, without the circular-reference check. Property: for any state, nested
times, dates, UUIDs and decimals included, each service stores exactly the bytes the
library's own transcoder, with that service's transcodings, writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eventsourcing.persistence import JSONTranscoder
from hypothesis import given
from hypothesis import strategies as st

from services.courses.application.app import CoursesApplication
from services.intake.application.app import IntakeApplication
from services.notifications.application.app import NotificationsApplication
from services.reporting.application.app import ReportingApplication
from services.triage.application.app import TriageApplication
from shared.eventstore import ServiceApplication
from shared.eventstore.transcoder import StateEncoder

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN and infinities too
    st.text(),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
    st.dates(),
    st.uuids(),
    st.decimals(allow_nan=False),
)
_states = st.dictionaries(
    st.text(),
    st.recursive(
        _scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4)
        ),
        max_leaves=20,
    ),
    max_size=8,
)

APPLICATIONS: tuple[type[ServiceApplication], ...] = (
    IntakeApplication,
    TriageApplication,
    NotificationsApplication,
    ReportingApplication,
    CoursesApplication,
)


@pytest.fixture(scope="module", params=APPLICATIONS, ids=lambda cls: cls.name)
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[JSONTranscoder, JSONTranscoder]]:
    """The service's transcoder, and the library's with the same transcodings registered."""
    env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    app = request.param(env=env)
    library = JSONTranscoder()
    app.register_transcodings(library)
    transcoder = app.mapper.transcoder
    assert isinstance(transcoder, JSONTranscoder)
    assert isinstance(transcoder.encoder, StateEncoder)
    yield transcoder, library
    app.close()


@given(state=st.one_of(_states, _scalars))
def test_each_service_stores_what_the_librarys_transcoder_writes(
    pair: tuple[JSONTranscoder, JSONTranscoder], state: object
) -> None:
    ours, library = pair
    try:
        expected = library.encode(state)
    except TypeError:  # a date without courses' transcoding: both refuse it
        with pytest.raises(TypeError):
            ours.encode(state)
        return
    assert ours.encode(state) == expected
