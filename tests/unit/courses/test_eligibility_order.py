"""Property: whatever order triage's topics deliver a person's history in (and with copies
delivered again), TRIVSEL+ eligibility ends as the history's last fact says, and the list the
coordinator reads agrees with the record."""

from __future__ import annotations

import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from services.courses.application.service import Received
from services.courses.bootstrap import build_application, build_service
from services.courses.domain.eligibility import TrivselEligibility
from services.courses.settings import CoursesSettings
from tests.unit.courses.factories import JOURNAL, FakeClock, decision, handover, withdrawal

# One person's history in one incident, in the order triage made it: routed to the
# coordinator; handed over when a case opened; revision 2 back to the coordinator (the case
# closed); revision 3 dropped the person; revision 4 listed them again.
HISTORY: list[tuple[Received, bool]] = [
    (decision(key="pk_a", revision=1, age=14), True),
    (handover(key="pk_a", revision=1), False),
    (decision(key="pk_a", revision=2, age=15, decision_kind="revised"), True),
    (withdrawal(key="pk_a", revision=3, withdrawn=f"decision-{JOURNAL}-2-pk_a"), False),
    (decision(key="pk_a", revision=4, age=15), True),
]


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[int, list[Received]]:
    """How much of the history happened, and its messages in some order, some twice."""
    happened = draw(st.integers(min_value=1, max_value=len(HISTORY)))
    messages = [message for message, _ in HISTORY[:happened]]
    copies = draw(st.lists(st.sampled_from(messages), max_size=3))
    return happened, draw(st.permutations(messages + copies))


@settings(max_examples=60, deadline=None)
@given(deliveries())
def test_eligibility_follows_the_last_fact_whatever_the_order(
    delivered: tuple[int, list[Received]],
) -> None:
    happened, messages = delivered
    with tempfile.TemporaryDirectory() as data_dir:
        env = CoursesSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=data_dir)
        app = build_application(env)
        service = build_service(env, app, FakeClock())
        for message in messages:
            service.receive(message)
        record = app.repository.get(TrivselEligibility.create_id("pk_a", JOURNAL))
        last_is_coordinator = HISTORY[happened - 1][1]
        assert record.eligible == last_is_coordinator
        coordinator_revisions = [m.revision for m, coordinator in HISTORY[:happened] if coordinator]
        assert record.revision == max(coordinator_revisions)
        listed = service.eligible("607")
        assert [e.person_key for e in listed] == (["pk_a"] if last_is_coordinator else [])
        # A fresh index, rebuilt from the store, agrees.
        rebuilt = build_service(env, app, FakeClock())
        assert rebuilt.eligible("607") == listed
        app.close()
