"""Triage's retention (issue 18, part 2): what triage holds beyond a person's own deadline
(which intake drives, by erasing the person) is erased when its own deadline passes.

- **Meeting minutes**: the profile's `retention.meeting_minutes_years` (default 5, KLE's
  standard) after the meeting closed (`WeeklyMeeting.closed_at`: the end of its ISO week, or the
  last thing recorded at it when later), the minutes' data key (`minutes:<meeting>`, which
  seals every text of the minutes) is destroyed and `MinutesErased` recorded: the meeting shows
  no participants, items, decisions, actions or notes any more, also when rebuilt.
- **Concerns on the agenda**: `retention.concern_years` (default 5) after the meeting that had
  them closed, `ConcernsErased` removes them (codes and the pseudonym; the text stays in
  intake, under its own deadline), and never places them again.

Each counts in triage's keyring (`triage_erasures`: kind `meeting_minutes` or `concern`, reason
`retention_deadline`, the time; no personal data) for `ssp erasure-report`. It is a step of
triage's daily job (shared/eventstore/daily_job.py: once per UTC day across restarts and
replicas, under the service's lock), called with the job's `now` (its injectable clock).
Running again (a lost lock, a day later) erases nothing twice: a destroyed key and an erased
meeting are recorded once.

The meetings are read once from the store's log (`Opened`), then only what is new."""

from __future__ import annotations

import logging
from datetime import datetime

from eventsourcing.utils import get_topic

from services.triage.application.app import TriageApplication
from services.triage.domain.ids import AGGREGATE_IDS
from services.triage.domain.meetings import WeeklyMeeting, minutes_owner, week_end
from services.triage.domain.profiles import ProfileBook, years_after
from shared.eventstore import UnitOfWork
from shared.eventstore.followed_log import FollowedLog

log = logging.getLogger(__name__)

MEETING_MINUTES = "meeting_minutes"
CONCERN = "concern"
"""The kinds of triage's retention erasures in `ssp erasure-report`."""
RETENTION_DEADLINE = "retention_deadline"


class KnownMeetings(FollowedLog):
    """Every weekly meeting stored (municipality code, ISO week), from the log's `Opened`."""

    def __init__(self, app: TriageApplication) -> None:
        super().__init__(app, topics=(get_topic(WeeklyMeeting.Opened),))
        self.meetings: set[tuple[str, str]] = set()

    def apply(self, event: object) -> None:
        if isinstance(event, WeeklyMeeting.Opened):
            self.meetings.add((event.municipality_code, event.iso_week))


class MeetingRetention:
    def __init__(self, app: TriageApplication, profiles: ProfileBook) -> None:
        self.app = app
        self.profiles = profiles
        self.known = KnownMeetings(app)
        self.finished: set[tuple[str, str]] = set()
        """Meetings with nothing left to erase (minutes erased, no concerns)."""

    def shortest_years(self) -> int:
        rules = [p.retention for p in (*self.profiles.profiles.values(), self.profiles.default)]
        return min(min(r.meeting_minutes_years, r.concern_years) for r in rules)

    def __call__(self, now: datetime) -> dict[str, int]:
        """Erase what passed its deadline by `now` (in the store's thread); how many of each
        kind."""
        self.known.catch_up()
        shortest = self.shortest_years()
        minutes = concerns = 0
        for code, week in sorted(self.known.meetings - self.finished):
            if years_after(week_end(week), shortest) > now:
                continue  # no deadline can have passed: not even loaded
            uow = UnitOfWork(self.app)
            meeting = uow.get(WeeklyMeeting, WeeklyMeeting.create_id(code, week))
            if meeting is None:
                continue
            rules = self.profiles.for_municipality(code).retention
            if not meeting.minutes_erased and (
                years_after(meeting.closed_at, rules.meeting_minutes_years) <= now
            ):
                self._destroy(minutes_owner(meeting.name), MEETING_MINUTES, now)
                meeting.erase_minutes(self._erasure_id(minutes_owner(meeting.name)), now)
                minutes += 1
            if meeting.concerns and years_after(meeting.closed_at, rules.concern_years) <= now:
                ids = [c.concern_id for c in meeting.concerns]
                for concern_id in ids:
                    self._destroy(f"concern:{concern_id}", CONCERN, now)
                meeting.erase_concerns(ids, self._erasure_id(f"concerns:{meeting.name}"), now)
                concerns += len(ids)
            uow.commit()
            if meeting.minutes_erased and not meeting.concerns:
                self.finished.add((code, week))
        if minutes or concerns:
            log.info(
                "triage: retention erased the minutes of %d meeting(s) and %d concern(s)",
                minutes,
                concerns,
            )
        return {MEETING_MINUTES: minutes, CONCERN: concerns}

    @staticmethod
    def _erasure_id(owner: str) -> str:
        return AGGREGATE_IDS.text(f"retention:{owner}")

    def _destroy(self, owner: str, kind: str, now: datetime) -> None:
        """The owner's key destroyed (a concern has none: only the erasure is recorded)."""
        self.app.keyring.destroy(owner, self._erasure_id(owner), kind, RETENTION_DEADLINE, now)
