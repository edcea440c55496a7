"""What each step of a journal's trace and a person's timeline says, in Danish words a person
understands: which step, to which municipality, what was decided and by which role (issue 17,
part 1). The API carries the step's stable code beside the text; the console and `ssp trace`
show the text.

One function per kind of step, found by its code in `_WORDS`: a new source of steps is a new
observation (domain/observations.py), its consumer line (entrypoints/kafka.py) and a line here.
The words are made when asked, from the step's recorded facts (codes, dates and owners only),
so improving them needs no rebuild; a step recorded before a fact existed reads without it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.contracts.municipalities import municipality_name
from shared.danish import (
    ASSESSMENT_MEANINGS,
    CONCERN_CATEGORIES,
    COURSE_OUTCOMES,
    COURSE_TYPES,
    FOLLOW_UP_KINDS,
    FOLLOW_UP_OUTCOMES,
    INCIDENT_ROLES,
    LETTER_KINDS,
    NOTHING,
    OFFENCES,
    REASONS,
    RECIPIENTS,
    REPORTER_KINDS,
    ROLES,
    ROUTES,
    SEND_CHANNELS,
    SEVERITIES,
    WAIVER_REASONS,
    WITHDRAWAL_REASONS,
    danish_date,
    label,
)

Facts = Mapping[str, Any]


def municipality(code: object) -> str:
    """`Fredericia (607)`; a code without a name as it is."""
    if not isinstance(code, str) or not code:
        return "ukendt kommune"
    name = municipality_name(code)
    return f"{name} ({code})" if name else code


def lowered(text: str) -> str:
    """A label inside a sentence: its first letter small, unless it begins an abbreviation
    (`SSP-koordinator`, `TRIVSEL+`, `GUSA-dialog`)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def role(code: object) -> str:
    return lowered(label(ROLES, code if isinstance(code, str) else None, "ukendt rolle"))


def _date(value: object) -> str:
    return danish_date(value if isinstance(value, str) else None)


def _incident(facts: Facts, revision: int | None) -> str:
    offence = lowered(label(OFFENCES, facts.get("offence_code")))
    version = f" (version {revision})" if revision and revision > 1 else ""
    if "role" in facts:  # one person's row of the incident (the timeline)
        return (
            f"Politianmeldelse{version}: {lowered(label(INCIDENT_ROLES, facts['role']))} "
            f"i {offence}, {facts.get('age_at_incident')} år, bor i "
            f"{municipality(facts.get('municipality_code'))}"
        )
    persons = facts.get("persons") or []
    return f"Politianmeldelse{version} modtaget: {offence}, {len(persons)} person(er)"


def _rejected(facts: Facts, _: int | None) -> str:
    fields = ", ".join(str(r.get("field")) for r in facts.get("reasons") or [])
    return f"Politianmeldelse afvist ved modtagelsen: fejl i {fields or 'indholdet'}"


def _routed(facts: Facts, revision: int | None) -> str:
    reasons = [str(r) for r in facts.get("reasons") or []]
    kind = {"revised": "ændret visitering", "handover": "overdragelse"}.get(
        str(facts.get("decision_kind")), "visiteret"
    )
    by = "ugens møde" if "meeting_decision" in reasons else "visitationens regler"
    owner = facts.get("owner_role") or facts.get("route")
    team = f", {facts['owner_team']}" if facts.get("owner_team") else ""
    why = ", ".join(lowered(label(REASONS, r)) for r in reasons) or "ingen"
    text = (
        f"{kind.capitalize()} til {lowered(label(ROUTES, facts.get('route')))} i "
        f"{municipality(facts.get('municipality_code'))}: ejer {role(owner)}{team}, alvor "
        f"{lowered(label(SEVERITIES, facts.get('severity')))}; begrundelse: {why}; "
        f"besluttet af {by}"
    )
    if facts.get("psp_ksp_handover"):
        text += "; fyldt 18 med et åbent punkt: overdrages til PSP/KSP"
    return text


def _withdrawn(facts: Facts, _: int | None) -> str:
    return f"Visiteringen trukket tilbage: {label(WITHDRAWAL_REASONS, facts.get('reason'))}"


def _not_served(facts: Facts, _: int | None) -> str:
    return (
        f"Bor i {municipality(facts.get('municipality_code'))}, som platformen ikke betjener: "
        "registreret, ikke visiteret"
    )


def _confirmed(_: Facts, revision: int | None) -> str:
    return f"Visiteringen bekræftet uændret af version {revision} af anmeldelsen"


def _exit_referral(facts: Facts, _: int | None) -> str:
    team = f", {facts['owner_team']}" if facts.get("owner_team") else ""
    return (
        f"Henvist til exitprogrammet: ejer {role(facts.get('owner_role'))}{team} i "
        f"{municipality(facts.get('municipality_code'))}"
    )


def _letter(facts: Facts, _: int | None) -> str:
    kind = label(LETTER_KINDS, facts.get("kind"))
    recipients = " og ".join(label(RECIPIENTS, r) for r in facts.get("recipients") or [])
    owner = role(facts.get("owner_role"))
    words = _LETTER_EVENTS.get(str(facts.get("event")), _completed)
    return f"{kind} til {recipients or 'modtagerne'}: {words(facts, owner)}"


def _completed(_: Facts, owner: str) -> str:
    return f"afsluttet af {owner}"


_LETTER_EVENTS: dict[str, Callable[[Facts, str], str]] = {
    "created": lambda f, owner: f"opgave oprettet, ejer {owner}, frist {_date(f.get('due_at'))}",
    "updated": lambda f, _: f"opgaven ændret, ny frist {_date(f.get('due_at'))}",
    "sent": lambda f, _: f"sendt ({label(SEND_CHANNELS, f.get('channel'), 'sendt')})",
    "waived": lambda f, _: f"frafaldet: {lowered(label(WAIVER_REASONS, f.get('waiver_reason')))}",
    "cancelled": lambda f, _: f"annulleret: {label(WITHDRAWAL_REASONS, f.get('reason'))}",
    "escalated": lambda f, _: (
        f"fristen er overskredet, eskaleret til {role(f.get('escalated_to'))}"
    ),
    "overdue": lambda f, owner: f"fristen {_date(f.get('due_at'))} er overskredet, ejer {owner}",
    "completed": _completed,
}
"""What each event of a letter task did, from its facts and its owner's role in words."""


def _assessed(facts: Facts, _: int | None) -> str:
    by = f" ({facts['caseworker']})" if facts.get("caseworker") else ""
    return f"Sagsbehandlerens vurdering{by}: {label(ASSESSMENT_MEANINGS, facts.get('outcome'))}"


def _family_meeting(facts: Facts, _: int | None) -> str:
    by = f" ({facts['caseworker']})" if facts.get("caseworker") else ""
    return f"Sagsbehandleren{by} holdt møde med familien {_date(facts.get('held_on'))}"


def _concern(facts: Facts, _: int | None) -> str:
    return (
        f"Bekymring registreret i {municipality(facts.get('municipality_code'))}: "
        f"{lowered(label(CONCERN_CATEGORIES, facts.get('category')))}; "
        f"hvem er bekymret: {lowered(label(REPORTER_KINDS, facts.get('reporter_kind')))}"
    )


def _follow_up(facts: Facts, _: int | None) -> str:
    action = label(FOLLOW_UP_KINDS, facts.get("kind"))
    held = f"{action} {_date(facts.get('held_on'))} ({facts.get('held_by')})"
    next_kind = lowered(label(FOLLOW_UP_KINDS, facts.get("next_kind")))
    next_step = (
        f"næste skridt: {next_kind} ved {facts.get('next_owner')}, frist "
        f"{_date(facts.get('next_due_on'))}"
    )
    event = facts.get("event")
    if event == "next_step_completed":
        return f"{held}: {next_step}, er gjort"
    if event == "next_step_rescheduled":
        return f"{held}: {next_step} (ny frist)"
    if event == "next_step_overdue":
        return f"{held}: {next_step}, er overskredet"
    if event == "erased":
        return f"{held}: slettet, slettefristen er udløbet"
    outcome = lowered(label(FOLLOW_UP_OUTCOMES, facts.get("outcome")))
    registered = f"{held}, registreret af {role(facts.get('recorded_by_role'))}: {outcome}"
    return f"{registered}; {next_step}" if facts.get("next_kind") else registered


OPEN_ITEMS = {
    "active_case": "en aktiv sag",
    "recent_decision": "en nylig visitering",
    "exit_referral": "en henvisning til exitforløb",
    "letter_task": "en åben brevopgave",
    "trivsel_plus": "et TRIVSEL+-forløb",
    "exit_programme": "et exitforløb",
}
HANDED_OVER_TO = {
    "psp": "PSP-samarbejdet",
    "ksp": "KSP-samarbejdet",
    "adult_social_services": "kommunens voksenområde",
    "no_further_action": "ingen videre indsats",
}


def _handover(facts: Facts, _: int | None) -> str:
    where = municipality(facts.get("municipality_code"))
    if facts.get("event") == "completed":
        to = label(HANDED_OVER_TO, facts.get("handed_over_to"))
        return f"Overdragelse til PSP/KSP i {where} afsluttet: overdraget til {to}"
    items = ", ".join(label(OPEN_ITEMS, i) for i in facts.get("open_items") or []) or NOTHING
    team = f", {facts['owner_team']}" if facts.get("owner_team") else ""
    return (
        f"Fyldt 18 {_date(facts.get('turned_18_on'))} med {items}: overdragelse til PSP/KSP "
        f"i {where} oprettet, ejer {role(facts.get('owner_role'))}{team}, frist "
        f"{_date(facts.get('due_on'))}"
    )


def _meeting(facts: Facts, _: int | None) -> str:
    week = str(facts.get("iso_week") or "")
    where = f"Ugens møde i {municipality(facts.get('municipality_code'))}, uge {week[-2:]}"
    event = facts.get("event")
    team = f", {facts['owner_team']}" if facts.get("owner_team") else ""
    if event == "route_or_owner_decided":
        if facts.get("decision_id") is None:
            return f"{where}: rute og ejer beholdt"
        return (
            f"{where}: besluttet rute {lowered(label(ROUTES, facts.get('route')))}, ejer "
            f"{role(facts.get('owner_role'))}{team}"
        )
    if event == "action_agreed":
        return (
            f"{where}: handling aftalt, udføres af {role(facts.get('owner_role'))}{team}, "
            f"frist {_date(facts.get('due_on'))}"
        )
    return f"{where}: note skrevet i referatet"


def _course(facts: Facts, _: int | None) -> str:
    course = label(COURSE_TYPES, facts.get("course_type"))
    data: Facts = facts.get("data") or {}
    event = str(facts.get("event"))
    words = _COURSE_EVENTS.get(event)
    what = words(data) if words else event.replace("_", " ")
    return f"{course} i {municipality(facts.get('municipality_code'))}: {what}"


def _on(name: str, words: str) -> Callable[[Facts], str]:
    """`words` with the date of the data's `name` in place of `{}`."""
    return lambda d: words.format(_date(d.get(name)))


_COURSE_EVENTS: dict[str, Callable[[Facts], str]] = {
    "started": lambda d: (
        f"forløbet startet på trin {d['step']}, koordinator {d.get('coordinator') or NOTHING}"
        if "step" in d
        else f"proceduren startet {_date(d.get('started_on'))}"
    ),
    "step_placed": lambda d: f"placeret på trin {d.get('step')}",
    "consent_requested": _on("requested_on", "samtykke bedt om {}"),
    "consent_given": _on("given_on", "samtykke givet {}"),
    "consent_refused": _on("refused_on", "samtykke afslået {}"),
    "consent_not_required": lambda d: "samtykke ikke nødvendigt",
    "consent_overdue": lambda d: f"samtykke ikke besvaret efter {d.get('pending_days')} dage",
    "goal_added": lambda d: (
        f"mål sat, ansvarlig {d.get('owner')}, opfølgning {_date(d.get('review_on'))}"
    ),
    "measure_added": lambda d: (
        f"indsats aftalt, ansvarlig {d.get('owner')}, opfølgning {_date(d.get('review_on'))}"
    ),
    "measure_started": _on("started_on", "indsats startet {}"),
    "measure_completed": _on("completed_on", "indsats gennemført {}"),
    "item_reviewed": _on("reviewed_on", "fulgt op {}"),
    "review_overdue": _on("review_on", "opfølgning {} er overskredet"),
    "follow_up_recorded": lambda d: (
        f"{lowered(label(FOLLOW_UP_KINDS, d.get('kind')))} holdt {_date(d.get('held_on'))}"
    ),
    "closed": lambda d: (
        f"afsluttet: {label(COURSE_OUTCOMES, d['outcome'])}"
        if d.get("outcome")
        else f"afsluttet {_date(d.get('closed_on'))} (trin 9: afrapportering til det politiske "
        "niveau)"
    ),
    "referred": lambda d: (
        f"henvist af {d.get('referred_by')} {_date(d.get('referred_on'))}, "
        f"koordinator {d.get('coordinator') or NOTHING}"
    ),
    "clarifying_talk_held": _on("held_on", "afklarende samtale holdt {}"),
    "accepted": _on("accepted_on", "optaget i programmet {}"),
    "declined": lambda d: f"ikke optaget ({d.get('reason')})",
    "contract_agreed": lambda d: f"kontrakt aftalt (version {d.get('contract_version')})",
    "contract_measure_completed": _on("completed_on", "kontraktens indsats gennemført {}"),
    "contract_measure_overdue": _on("due_on", "kontraktens indsats {} er overskredet"),
    "meeting_held": _on("held_on", "samarbejdsmøde holdt {}"),
    "meeting_missed": lambda d: f"intet samarbejdsmøde i {d.get('month')}",
    "transferred": lambda d: (
        f"flyttet fra {municipality(d.get('from_municipality_code'))} til "
        f"{municipality(d.get('to_municipality_code'))} {_date(d.get('moved_on'))}"
    ),
    "escalated_to_infohus": _on("escalated_on", "eskaleret til Infohus {}"),
    "ended": lambda d: f"afsluttet: {label(COURSE_OUTCOMES, d.get('outcome'))}",
    "standard_letter_requested": _on("due_at", "standardbrev bestilt, frist {}"),
    "standard_letter_sent": lambda d: "standardbrev sendt",
    "standard_letter_overdue": _on("due_at", "standardbrevets frist {} er overskredet"),
    "step_assigned": lambda d: f"trin {d.get('step')} tildelt {d.get('owner')}",
    "step_completed": lambda d: f"trin {d.get('step')} afsluttet {_date(d.get('completed_on'))}",
    "erased": lambda d: "slettet, slettefristen er udløbet",
}

_WORDS: dict[str, Callable[[Facts, int | None], str]] = {
    "incident_accepted": _incident,
    "incident_rejected": _rejected,
    "routed_caseworker": _routed,
    "routed_tovholder": _routed,
    "decision_withdrawn": _withdrawn,
    "person_not_served": _not_served,
    "decision_confirmed": _confirmed,
    "exit_referral": _exit_referral,
    "concern_registered": _concern,
    "follow_up_recorded": _follow_up,
    "follow_up_next_step_completed": _follow_up,
    "follow_up_next_step_rescheduled": _follow_up,
    "follow_up_next_step_overdue": _follow_up,
    "follow_up_erased": _follow_up,
    "caseworker_assessed": _assessed,
    "family_meeting_held": _family_meeting,
    "course_changed": _course,
    "meeting_route_or_owner_decided": _meeting,
    "meeting_action_agreed": _meeting,
    "meeting_note_recorded": _meeting,
    "psp_ksp_handover_opened": _handover,
    "psp_ksp_handover_completed": _handover,
}


def describe(step: str, facts: Facts | None, revision: int | None, detail: str) -> str:
    """The step in Danish; a step this version has no words for says its English detail."""
    if facts is None:
        return detail
    words = _letter if step.startswith("letter_task_") else _WORDS.get(step)
    if words is None:
        return detail
    try:
        return words(facts, revision)
    except (KeyError, TypeError, ValueError):
        # Facts of an older or newer shape than these words know: the recorded detail.
        return detail
